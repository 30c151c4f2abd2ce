# fk image: fk-fetch, fk-shape, gcs-put, their man pages, examples/ (the
# job Makefile, jq programs, schemas) and make.
#
#   podman build -t fk:latest .        (or docker build)
#   podman run --rm fk:latest          prints the tools' versions
#
# Build stage: the same Makefile as a workstation build.
FROM debian:bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	gcc make libc6-dev pkg-config \
	libcurl4-openssl-dev libjq-dev libgcrypt20-dev libavro-dev zlib1g-dev \
	libsnappy-dev libzstd-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY lib/ lib/
COPY cmd/ cmd/
COPY man/ man/
RUN make -j"$(nproc)" all && make install PREFIX=/usr/local DESTDIR=/out

# Runtime: only the shared libraries the three tools link (libcurl, libjq,
# libgcrypt, libavro, snappy, zstd, zlib), CA certificates for HTTPS, and
# make, jq and bash for examples/job.mk.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
	libcurl4 libjq1 libgcrypt20 libavro23 libsnappy1v5 libzstd1 zlib1g \
	ca-certificates make jq \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/usr/local/ /usr/local/
COPY examples/ /usr/local/share/fk/examples/
RUN useradd --create-home --home-dir /home/fk --uid 10001 --user-group fk \
 && ln -s /usr/local/share/fk/examples /home/fk/examples
USER fk
WORKDIR /home/fk
CMD ["sh", "-c", "fk-fetch --version && fk-shape --version && gcs-put --version"]
