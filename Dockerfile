# The sluice toolkit in one image: build on Debian 12, ship the binaries on a slim runtime.
FROM debian:12 AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config libcurl4-openssl-dev libssl-dev rapidjson-dev \
      libgit2-dev libcli11-dev libfmt-dev libpcre2-dev libhowardhinnant-date-dev libsimdjson-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_TESTS=OFF \
    && cmake --build /build && cmake --install /build --prefix /opt/sluice

# The runtime: a package for every library the binaries link against (tests/integration/image_test.cpp
# checks the list against the built binaries), tzdata for publish windows and schedules in local
# time, git and jq for the reusable workflows' steps (their `image` input runs the jobs here), and
# a user that is not root.
FROM debian:12-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates git jq tzdata libcurl4 libssl3 libgit2-1.5 libfmt9 libpcre2-8-0 libsimdjson14 libdate-tz3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin sluice
COPY --from=build /opt/sluice/bin/ /usr/local/bin/
USER sluice
WORKDIR /home/sluice
ENTRYPOINT ["sluice-fetch"]
