#!/usr/bin/env bash
# Real Debian images for the pipeline tests, made offline with debootstrap (nothing can be pulled).
#   debian  berth-test/debian:bookworm  bash, coreutils, git, rsync: a CI job and helper image
#   dind    berth-test/dind             the same plus docker.io, iptables, openssl: a docker:dind stand-in
# Usage: scripts/ci-images.sh [debian|dind|all]   (default: debian)
# The root filesystems are cached as tarballs under target/ci-images, so each is built once per
# clone; an image that exists is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-debian}
case $want in debian|dind|all) ;; *) echo "usage: $0 [debian|dind|all]" >&2; exit 2 ;; esac

cache=target/ci-images
mkdir -p "$cache"
debian_image=berth-test/debian:bookworm dind_image=berth-test/dind
debian_tar=$cache/debian-bookworm.tar dind_tar=$cache/dind.tar

sudo=()
if [[ $(id -u) != 0 ]] && command -v sudo >/dev/null; then sudo=(sudo); fi

has_image() { docker image inspect "$1" >/dev/null 2>&1; }

# The Debian mirror apt already uses (the only one reachable in CI).
mirror() {
  local uri
  uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [[ -n $uri ]] || uri=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

work=""
cleanup() {
  [[ -n $work ]] || return 0
  mountpoint -q "$work/proc" 2>/dev/null && "${sudo[@]}" umount "$work/proc"
  "${sudo[@]}" rm -rf "$work"
}
trap cleanup EXIT

debian_rootfs() { # debian_rootfs <dir>
  command -v debootstrap >/dev/null || { echo "ci-images: debootstrap missing (scripts/deps.sh test)" >&2; exit 1; }
  local log=$cache/debootstrap.log
  if ! "${sudo[@]}" debootstrap --variant=minbase --include=git,rsync,ca-certificates \
        bookworm "$1" "$(mirror)" >"$log" 2>&1; then
    tail -20 "$log" >&2; echo "ci-images: debootstrap failed, see $log" >&2; exit 1
  fi
  "${sudo[@]}" chroot "$1" apt-get clean
}

build_debian_tar() {
  [[ -f $debian_tar ]] && return 0
  local start=$SECONDS
  work=$(mktemp -d "$PWD/$cache/rootfs.XXXXXX")
  debian_rootfs "$work"
  "${sudo[@]}" tar -C "$work" -cf "$debian_tar.part" . && mv "$debian_tar.part" "$debian_tar"
  cleanup; work=""
  echo "ci-images: Debian bookworm root filesystem in $((SECONDS - start)) s"
}

build_dind_tar() {
  [[ -f $dind_tar ]] && return 0
  build_debian_tar
  local start=$SECONDS
  work=$(mktemp -d "$PWD/$cache/rootfs.XXXXXX")
  "${sudo[@]}" tar -C "$work" -xf "$debian_tar"
  "${sudo[@]}" mount -t proc proc "$work/proc"
  local log=$cache/dind-apt.log
  if ! "${sudo[@]}" chroot "$work" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends docker.io iptables openssl >"$log" 2>&1; then
    tail -20 "$log" >&2; echo "ci-images: installing docker.io failed, see $log" >&2; exit 1
  fi
  "${sudo[@]}" chroot "$work" apt-get clean
  "${sudo[@]}" umount "$work/proc"
  # The inner dockerd keeps its images on a volume, as docker:dind does.
  "${sudo[@]}" tar -C "$work" -cf "$dind_tar.part" . && mv "$dind_tar.part" "$dind_tar"
  cleanup; work=""
  echo "ci-images: Docker-in-Docker root filesystem in $((SECONDS - start)) s"
}

import_debian() {
  has_image "$debian_image" && return 0
  build_debian_tar
  docker import -c 'CMD ["bash"]' -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "$debian_tar" "$debian_image" >/dev/null
  echo "ci-images: imported $debian_image"
}

# docker:dind's contract: dockerd on 2375 without TLS when DOCKER_TLS_CERTDIR is empty, on 2376
# with certificates it makes under $DOCKER_TLS_CERTDIR otherwise (the entrypoint below).
import_dind() {
  has_image "$dind_image" && return 0
  build_dind_tar
  local ctx; ctx=$(mktemp -d)
  docker import -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'VOLUME /var/lib/docker' -c 'EXPOSE 2375 2376' \
    -c 'ENTRYPOINT ["dockerd-entrypoint.sh"]' -c 'CMD []' \
    "$dind_tar" "$dind_image:base" >/dev/null
  cp scripts/dind-entrypoint.sh "$ctx/dockerd-entrypoint.sh"
  printf 'FROM %s\nCOPY dockerd-entrypoint.sh /usr/local/bin/\n' "$dind_image:base" >"$ctx/Dockerfile"
  if ! out=$(DOCKER_BUILDKIT=0 docker build -q -t "$dind_image" "$ctx" 2>&1); then
    echo "$out" >&2; rm -rf "$ctx"; exit 1
  fi
  rm -rf "$ctx"
  docker rmi "$dind_image:base" >/dev/null
  echo "ci-images: imported $dind_image"
}

case $want in
  debian) import_debian ;;
  dind) import_debian; import_dind ;;
  all) import_debian; import_dind ;;
esac
