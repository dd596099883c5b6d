# The node agent's base image: the eclipse-temurin 25 JRE (Ubuntu) plus nft, through which the agent
# keeps its nftables table for encryption Required (docs/encryption.md). Jib cannot install packages,
# so the agent image (./mvnw -Pimages, node-agent/pom.xml) is layered on this one. Build it first:
#   docker build -t ghcr.io/wiremesh/node-agent-base:25-jre -f node-agent/src/main/docker/agent-base.Dockerfile node-agent/src/main/docker
FROM eclipse-temurin:25-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends nftables \
 && rm -rf /var/lib/apt/lists/* \
 && nft --version
