#!/bin/sh
# Builds a test Go program from Debian's Go packages (GOPATH mode, offline) and prints the
# path of the binary. Rebuilt only when its source or the Go toolchain changed.
#   build-provider.sh            the go-plugin test provider (test/support/go-provider)
#   build-provider.sh dirhash    the reference h1: hasher (test/support/go-dirhash)
#   build-provider.sh version-check  HashiCorp go-version as an oracle (test/support/go-version-check;
#                                    needs golang-github-hashicorp-go-version-dev)
set -eu

tool=${1:-provider}
case "$tool" in
  provider) source_dir=go-provider; binary=terraform-provider-tmdoctor ;;
  dirhash) source_dir=go-dirhash; binary=go-dirhash ;;
  version-check) source_dir=go-version-check; binary=go-version-check ;;
  *) echo "usage: $0 [provider|dirhash|version-check]" >&2; exit 2 ;;
esac

support_dir=$(cd "$(dirname "$0")" && pwd)
repo_dir=$(cd "$support_dir/../.." && pwd)
cache_dir=${TM_DOCTOR_TEST_CACHE:-$repo_dir/node_modules/.cache/tm-doctor-test}
work_dir=$cache_dir/gopath-$tool
output=$cache_dir/$binary
stamp=$output.stamp

if ! command -v go >/dev/null 2>&1; then
  echo "go is not installed (apt-get install golang-go golang-github-hashicorp-go-plugin-dev golang-google-grpc-dev golang-golang-x-net-dev golang-golang-x-mod-dev)" >&2
  exit 3
fi

want_stamp=$( (go version; cat "$support_dir/$source_dir/main.go") | sha256sum | cut -d' ' -f1)
if [ -x "$output" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  echo "$output"
  exit 0
fi

package_dir=$work_dir/src/tmdoctortest/$tool
mkdir -p "$package_dir"
cp "$support_dir/$source_dir/main.go" "$package_dir/main.go"
# Parallel test workers may build at once: build to a private name, then rename.
partial=$output.$$.partial
(
  cd "$package_dir"
  GO111MODULE=off GOPATH="$work_dir:/usr/share/gocode" GOCACHE="$cache_dir/gocache" GOFLAGS= \
    CGO_ENABLED=0 go build -o "$partial" .
)
mv -f "$partial" "$output"
echo "$want_stamp" > "$stamp.$$" && mv -f "$stamp.$$" "$stamp"
echo "$output"
