#!/usr/bin/env bash
# Generates TypeScript for the Envoy v3 API from the protos shipped in @grpc/grpc-js-xds.
# Output goes to gen/ (not committed). Re-runs only when the inputs changed.
set -euo pipefail
cd "$(dirname "$0")/.."

SRC=node_modules/@grpc/grpc-js-xds/deps
OUT=gen
WORK=.tmp/proto
STAMP="$OUT/.stamp"
want="$(cat scripts/gen-envoy.sh buf.yaml buf.gen.yaml node_modules/@grpc/grpc-js-xds/package.json node_modules/@bufbuild/protoc-gen-es/package.json | sha256sum | cut -d' ' -f1)"
if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$want" ]]; then exit 0; fi

rm -rf "$WORK" "$OUT"
mkdir -p "$WORK"
for m in envoy-api xds googleapis protoc-gen-validate; do cp -r "$SRC/$m" "$WORK/$m"; done
rm -rf "$WORK"/protoc-gen-validate/{java,tests} "$WORK"/googleapis/google/api/{servicecontrol,servicemanagement}
# only the v3 API (plus the shared annotations) is used
find "$WORK/envoy-api/envoy" -name '*.proto' | grep -v '/v3/' | grep -v '/envoy/annotations/' | xargs rm -f
# these import protos the package does not ship (opencensus, opentelemetry, prometheus)
grep -rlE '^import "(opencensus|opentelemetry|io/prometheus)/' "$WORK/envoy-api" | xargs -r rm -f
rm -f "$WORK/envoy-api/envoy/config/trace/v3/trace.proto"
# the bundled validate.proto predates `ignore_empty`, which the Envoy protos use
sed -i 's#^  optional bool strict = 25 \[default = true\];#&\n  optional bool ignore_empty = 26;#' "$WORK/protoc-gen-validate/validate/validate.proto"

npx buf generate
echo "$want" > "$STAMP"
