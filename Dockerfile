# syntax=docker/dockerfile:1
#
# syncerr in a container: a static binary on distroless, running as nonroot.
#
#   docker build --build-arg VERSION=$(git describe --always) -t syncerr .
#   docker run --rm -e SLACK_APP_TOKEN -e SLACK_BOT_TOKEN -p 8080:8080 syncerr
#
# Health: the image has no shell or curl, so there is no HEALTHCHECK here.
# Probe over HTTP instead: GET /healthz (the process is up) and GET /readyz
# (a Socket Mode connection is open) on SYNCERR_HTTP_ADDR (:8080), e.g. as
# Kubernetes liveness and readiness probes. /metrics serves Prometheus.
#
# deploy/dockerfile_test.go keeps the Go version below equal to go.mod's.

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so editing code does not re-download them.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
# CGO off: the binary must run on distroless/static, which has no libc.
# -trimpath keeps build paths out of the binary (reproducible builds).
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" \
    -o /out/syncerr ./cmd/syncerr

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/syncerr /syncerr
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/syncerr"]
CMD ["serve"]
