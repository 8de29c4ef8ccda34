{{/* Object names: the release name, so that release "mesh-bot" renders exactly deploy/base. */}}
{{- define "mesh-bot.name" -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "mesh-bot.labels" -}}
app.kubernetes.io/name: mesh-bot
app.kubernetes.io/part-of: mesh-bot
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "mesh-bot.selectorLabels" -}}
app.kubernetes.io/name: mesh-bot
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "mesh-bot.subject" -}}
- kind: ServiceAccount
  name: {{ include "mesh-bot.name" . }}
  namespace: {{ .Release.Namespace }}
{{- end -}}
