// A minimal go-plugin gRPC server that answers Terraform's handshake like a real provider.
// Tests steer it through files beside its own (symlink-resolved) executable path, so nothing
// has to pass through the environment it is given, and packages stay unchanged when nobody asked:
//   "<exe>.env"   exists: overwritten with its whole environment;
//   "<exe>.runs"  exists: one line appended per start (counts executions);
//   "<exe>.hang"  exists: never answers (sleeps until killed);
//   "<exe>.say"   exists: prints that file's content on stdout instead of a handshake, then sleeps;
//   "<exe>.ignore-term" exists: ignores SIGTERM (as well as SIGINT, which go-plugin ignores anyway);
//   "<exe>.setsid" exists: first starts a child in a session of its own (so outside the process
//                  group it was started in) that ignores SIGTERM, SIGINT and SIGHUP and sleeps until
//                  killed; the child's pid is appended to "<exe>.children" (created if missing).
package main

import (
	"io/ioutil"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

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

func recordRun(self string) {
	runs, err := os.OpenFile(self+".runs", os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return
	}
	_, _ = runs.WriteString("started\n")
	_ = runs.Close()
}

func sleepForever() {
	for {
		time.Sleep(time.Hour)
	}
}

// startSessionChild starts this binary again as "--sleep" in a new session (setsid), with this
// process's environment, and records its pid.
func startSessionChild(self string) {
	child := exec.Command(self, "--sleep")
	child.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := child.Start(); err != nil {
		os.Stderr.WriteString("cannot start the session child: " + err.Error() + "\n")
		return
	}
	pids, err := os.OpenFile(self+".children", os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return
	}
	_, _ = pids.WriteString(strconv.Itoa(child.Process.Pid) + "\n")
	_ = pids.Close()
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "--print-data-marker" {
		os.Stdout.WriteString(dataMarker + "\n")
		return
	}
	if len(os.Args) > 1 && os.Args[1] == "--sleep" {
		signal.Ignore(syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
		sleepForever()
	}
	dumpEnvironment()
	if self, err := os.Executable(); err == nil {
		recordRun(self)
		if _, err := os.Stat(self + ".ignore-term"); err == nil {
			signal.Ignore(syscall.SIGTERM, syscall.SIGINT)
		}
		if _, err := os.Stat(self + ".setsid"); err == nil {
			startSessionChild(self)
		}
		if _, err := os.Stat(self + ".hang"); err == nil {
			sleepForever()
		}
		if text, err := ioutil.ReadFile(self + ".say"); err == nil {
			os.Stdout.Write(text)
			sleepForever()
		}
	}
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
