// A minimal go-plugin gRPC server that answers Terraform's handshake like a real provider.
// On start, if a file "<own executable path>.env" exists, it overwrites it with its whole
// environment, so tests can prove which variables reached it without passing anything
// through that environment (and packages stay unchanged when nobody asked).
package main

import (
	"io/ioutil"
	"os"
	"strings"

	plugin "github.com/hashicorp/go-plugin"
	"golang.org/x/net/context"
	"google.golang.org/grpc"
)

type providerPlugin struct {
	plugin.NetRPCUnsupportedPlugin
}

func (providerPlugin) GRPCServer(*plugin.GRPCBroker, *grpc.Server) error { return nil }

func (providerPlugin) GRPCClient(context.Context, *plugin.GRPCBroker, *grpc.ClientConn) (interface{}, error) {
	return nil, nil
}

// dataMarker is read-only data tests can find and flip a byte of without touching code,
// so the binary still starts but its checksum changes.
const dataMarker = "TM-DOCTOR-DATA-MARKER:0123456789abcdefghijklmnopqrstuvwxyz"

func dumpEnvironment() {
	self, err := os.Executable()
	if err != nil {
		return
	}
	if _, err := os.Stat(self + ".env"); err != nil {
		return
	}
	_ = ioutil.WriteFile(self+".env", []byte(strings.Join(os.Environ(), "\n")+"\n"), 0o600)
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--print-data-marker" {
		os.Stdout.WriteString(dataMarker + "\n")
		return
	}
	dumpEnvironment()
	plugin.Serve(&plugin.ServeConfig{
		HandshakeConfig: plugin.HandshakeConfig{
			MagicCookieKey:   "TF_PLUGIN_MAGIC_COOKIE",
			MagicCookieValue: "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
		},
		VersionedPlugins: map[int]plugin.PluginSet{
			5: {"provider": providerPlugin{}},
		},
		GRPCServer: plugin.DefaultGRPCServer,
	})
}
