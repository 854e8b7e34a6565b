# rootguard's container image: the static release binary on distroless,
# running as the non-root user 65532. Build the binary first, then the image:
#
#   RELEASE_TARGETS=linux/amd64 scripts/release.sh
#   docker build --build-arg TARGETARCH=amd64 -t rootguard .
#
# (docker buildx sets TARGETOS and TARGETARCH itself.) See docs/releasing.md.
FROM gcr.io/distroless/static-debian12:nonroot
ARG TARGETOS=linux
ARG TARGETARCH=amd64
COPY dist/build/${TARGETOS}_${TARGETARCH}/rootguard /usr/local/bin/rootguard
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/rootguard"]
