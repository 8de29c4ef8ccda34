// Command ads-proxies connects simulated data-plane proxies to a real istiod over ADS, so that
// `istioctl proxy-status` reports them the way it reports real ones. Envoy and ztunnel cannot be built here; what
// istiod knows of a proxy is its xDS stream (node id, metadata, the nonces it sent and the ones that came back), and
// that is exactly what this program drives.
//
// Usage: ads-proxies -xds 127.0.0.1:15010 PROXY...
// where PROXY is kind/namespace/pod/behaviour/version: kind is sidecar, waypoint or ztunnel; behaviour is ack (every
// response is acknowledged: SYNCED) or noack (the first response is never acknowledged: STALE).
// It prints one line "connected <node id>" per proxy once istiod has answered it, then "ready", and runs until its
// standard input closes or it is signalled.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	clusterType  = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
	listenerType = "type.googleapis.com/envoy.config.listener.v3.Listener"
	addressType  = "type.googleapis.com/istio.workload.Address"
)

type proxy struct {
	kind, namespace, pod, version string
	ack                           bool
	ip                            string
}

func parseProxy(spec string, index int) (proxy, error) {
	parts := strings.Split(spec, "/")
	if len(parts) != 5 {
		return proxy{}, fmt.Errorf("proxy %q: want kind/namespace/pod/ack|noack/version", spec)
	}
	p := proxy{kind: parts[0], namespace: parts[1], pod: parts[2], version: parts[4], ip: fmt.Sprintf("10.244.0.%d", 10+index)}
	switch parts[0] {
	case "sidecar", "waypoint", "ztunnel":
	default:
		return proxy{}, fmt.Errorf("proxy %q: kind must be sidecar, waypoint or ztunnel", spec)
	}
	switch parts[3] {
	case "ack":
		p.ack = true
	case "noack":
	default:
		return proxy{}, fmt.Errorf("proxy %q: behaviour must be ack or noack", spec)
	}
	return p, nil
}

// nodeID is the id the real proxies send: TYPE~IP~POD.NAMESPACE~NAMESPACE.svc.cluster.local.
func (p proxy) nodeID() string {
	return fmt.Sprintf("%s~%s~%s.%s~%s.svc.cluster.local", p.kind, p.ip, p.pod, p.namespace, p.namespace)
}

// node carries the metadata istiod reads from pilot-agent's bootstrap; PROXY_CONFIG marks an Envoy-based proxy,
// which is what istiod's sync status lists besides ztunnels.
func (p proxy) node() (*core.Node, error) {
	app := strings.SplitN(p.pod, "-", 2)[0]
	fields := map[string]any{
		"ISTIO_VERSION": p.version,
		"CLUSTER_ID":    "Kubernetes",
		"NAMESPACE":     p.namespace,
		"NAME":          p.pod,
		"LABELS":        map[string]any{"app": app},
		"INSTANCE_IPS":  p.ip,
	}
	if p.kind != "ztunnel" {
		fields["PROXY_CONFIG"] = map[string]any{"discoveryAddress": "istiod.istio-system.svc:15012"}
	}
	metadata, err := structpb.NewStruct(fields)
	if err != nil {
		return nil, err
	}
	return &core.Node{Id: p.nodeID(), Cluster: app + "." + p.namespace, Metadata: metadata}, nil
}

// runSotW asks for clusters and then listeners on one stream, acknowledging every response when p.ack is set.
func runSotW(ctx context.Context, client discovery.AggregatedDiscoveryServiceClient, p proxy, connected func()) error {
	node, err := p.node()
	if err != nil {
		return err
	}
	stream, err := client.StreamAggregatedResources(ctx)
	if err != nil {
		return err
	}
	if err := stream.Send(&discovery.DiscoveryRequest{Node: node, TypeUrl: clusterType}); err != nil {
		return err
	}
	askedListeners := false
	for {
		response, err := stream.Recv()
		if err != nil {
			return err
		}
		if !p.ack {
			connected()
			continue
		}
		ack := &discovery.DiscoveryRequest{TypeUrl: response.GetTypeUrl(), VersionInfo: response.GetVersionInfo(), ResponseNonce: response.GetNonce()}
		if err := stream.Send(ack); err != nil {
			return err
		}
		if !askedListeners {
			askedListeners = true
			if err := stream.Send(&discovery.DiscoveryRequest{TypeUrl: listenerType}); err != nil {
				return err
			}
			continue
		}
		connected()
	}
}

// runDelta is ztunnel's side: a delta stream subscribed to workload addresses.
func runDelta(ctx context.Context, client discovery.AggregatedDiscoveryServiceClient, p proxy, connected func()) error {
	node, err := p.node()
	if err != nil {
		return err
	}
	stream, err := client.DeltaAggregatedResources(ctx)
	if err != nil {
		return err
	}
	if err := stream.Send(&discovery.DeltaDiscoveryRequest{Node: node, TypeUrl: addressType}); err != nil {
		return err
	}
	for {
		response, err := stream.Recv()
		if err != nil {
			return err
		}
		if p.ack {
			if err := stream.Send(&discovery.DeltaDiscoveryRequest{TypeUrl: response.GetTypeUrl(), ResponseNonce: response.GetNonce()}); err != nil {
				return err
			}
		}
		connected()
	}
}

func main() {
	address := flag.String("xds", "127.0.0.1:15010", "istiod's plain-text xDS address")
	flag.Parse()
	var proxies []proxy
	for index, spec := range flag.Args() {
		p, err := parseProxy(spec, index)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ads-proxies:", err)
			os.Exit(2)
		}
		proxies = append(proxies, p)
	}
	if len(proxies) == 0 {
		fmt.Fprintln(os.Stderr, "ads-proxies: name at least one proxy")
		os.Exit(2)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The test that started this program owns its lifetime: when its end of stdin closes, stop.
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()

	conn, err := grpc.NewClient(*address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "ads-proxies:", err)
		os.Exit(1)
	}
	defer conn.Close()
	client := discovery.NewAggregatedDiscoveryServiceClient(conn)

	var out sync.Mutex
	var pending sync.WaitGroup
	pending.Add(len(proxies))
	failed := make(chan error, len(proxies))
	for _, p := range proxies {
		var once sync.Once
		connected := func() {
			once.Do(func() {
				out.Lock()
				fmt.Println("connected", p.nodeID())
				out.Unlock()
				pending.Done()
			})
		}
		run := runSotW
		if p.kind == "ztunnel" {
			run = runDelta
		}
		go func() {
			if err := run(ctx, client, p, connected); err != nil && ctx.Err() == nil {
				failed <- fmt.Errorf("%s: %w", p.nodeID(), err)
			}
		}()
	}
	ready := make(chan struct{})
	go func() {
		pending.Wait()
		close(ready)
	}()
	select {
	case <-ready:
		out.Lock()
		fmt.Println("ready")
		out.Unlock()
	case err := <-failed:
		fmt.Fprintln(os.Stderr, "ads-proxies:", err)
		os.Exit(1)
	case <-ctx.Done():
		return
	}
	select {
	case err := <-failed:
		fmt.Fprintln(os.Stderr, "ads-proxies:", err)
		os.Exit(1)
	case <-ctx.Done():
	}
}
