#!/usr/bin/env bash
# Builds the real control plane of the cluster test tier from Go modules, only what is missing or out of date:
#   kube-apiserver + etcd      (test/cluster/build/kube/go.mod: k8s.io/kubernetes, its staging modules pinned by replace)
#   pilot-discovery + istioctl (test/cluster/build/istio/go.mod: istio.io/istio) and the simulated ADS proxies
#   helm                       (test/cluster/build/helm/go.mod: helm.sh/helm/v4)
# Output: test/cluster/.bin/ (git-ignored), with versions.txt listing what each binary reports.
# Module downloads and compiled packages stay in Go's own caches (GOMODCACHE, GOCACHE), so a second run only links
# what changed. Builds run at the lowest CPU priority: the machines have 2 cores shared with other work.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BIN="${MESH_BOT_CLUSTER_BIN:-$HERE/.bin}"
mkdir -p "$BIN"
# -mod=readonly: go.mod and go.sum are the pins; -buildvcs=false: the tools are not stamped with this checkout.
export CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN=local

# The version each binary should report (release builds stamp these through -ldflags; go build does not).
KUBE_VERSION=v1.36.3
ISTIO_VERSION=1.31-dev
ISTIO_REVISION=eed52ebb66ad
HELM_VERSION=v4.3.2

# A binary is rebuilt when its module's go.mod/go.sum, its flags or (for our own programs) its source change.
stamp_of() {
  local module=$1 package=$2 ldflags=$3 sources=()
  [[ $package == ./* ]] && mapfile -t sources < <(find "$HERE/build/$module/$package" -name '*.go' | sort)
  { cat "$HERE/build/$module/go.mod" "$HERE/build/$module/go.sum" "${sources[@]}"; echo "$package $ldflags $(go version)"; } | sha256sum | cut -c1-16
}

# build MODULE OUTPUT PACKAGE LDFLAGS
build() {
  local module=$1 output=$2 package=$3 ldflags=$4 stamp
  stamp="$(stamp_of "$module" "$package" "$ldflags")"
  if [[ -x "$BIN/$output" && "$(cat "$BIN/$output.stamp" 2>/dev/null)" == "$stamp" ]]; then
    echo "build: $output is up to date"
    return
  fi
  local started=$SECONDS
  echo "build: $output ($package) ..."
  (cd "$HERE/build/$module" && nice -n 19 go build -trimpath -ldflags "-s -w $ldflags" -o "$BIN/$output.tmp.$$" "$package")
  mv "$BIN/$output.tmp.$$" "$BIN/$output"
  echo "$stamp" > "$BIN/$output.stamp"
  echo "build: $output built in $((SECONDS - started)) s"
}

wanted=("$@")
[[ ${#wanted[@]} -gt 0 ]] || wanted=(etcd kube-apiserver pilot-discovery istioctl ads-proxies helm)
started=$SECONDS
for tool in "${wanted[@]}"; do
  case "$tool" in
    etcd) build kube etcd go.etcd.io/etcd/server/v3 "" ;;
    kube-apiserver)
      build kube kube-apiserver k8s.io/kubernetes/cmd/kube-apiserver \
        "-X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=36 -X k8s.io/component-base/version.gitTreeState=clean" ;;
    pilot-discovery | istioctl)
      package=istio.io/istio/pilot/cmd/pilot-discovery
      [[ $tool == istioctl ]] && package=istio.io/istio/istioctl/cmd/istioctl
      build istio "$tool" "$package" \
        "-X istio.io/istio/pkg/version.buildVersion=$ISTIO_VERSION -X istio.io/istio/pkg/version.buildGitRevision=$ISTIO_REVISION -X istio.io/istio/pkg/version.buildStatus=Clean -X istio.io/istio/pkg/version.buildTag=$ISTIO_VERSION" ;;
    ads-proxies) build istio ads-proxies ./ads-proxies "" ;;
    helm) build helm helm helm.sh/helm/v4/cmd/helm "-X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean" ;;
    *) echo "build: unknown tool $tool" >&2; exit 2 ;;
  esac
done

{
  [[ -x "$BIN/kube-apiserver" ]] && echo "kube-apiserver: $("$BIN/kube-apiserver" --version)"
  [[ -x "$BIN/etcd" ]] && echo "etcd: $("$BIN/etcd" --version | head -1)"
  [[ -x "$BIN/pilot-discovery" ]] && echo "pilot-discovery: $("$BIN/pilot-discovery" version --short 2>/dev/null)"
  [[ -x "$BIN/istioctl" ]] && echo "istioctl: $("$BIN/istioctl" version --remote=false --short 2>/dev/null)"
  [[ -x "$BIN/helm" ]] && echo "helm: $("$BIN/helm" version --short)"
  true
} > "$BIN/versions.txt"
cat "$BIN/versions.txt"
echo "build: done in $((SECONDS - started)) s"
