# btcd, built from the Go module proxy at the version scripts/tools.sh pins.
FROM golang:1.24-bookworm AS build
RUN go install github.com/btcsuite/btcd@v0.24.2

FROM debian:bookworm-slim
COPY --from=build /go/bin/btcd /usr/local/bin/btcd
RUN mkdir -p /var/lib/btcd
ENTRYPOINT ["btcd"]
