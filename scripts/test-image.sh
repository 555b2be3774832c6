#!/usr/bin/env bash
# Build berth-test/busybox:1 from the static busybox binary. Nothing can be pulled here, so
# every test image builds FROM this one. Does nothing when the image exists.
set -euo pipefail
image=berth-test/busybox:1
docker image inspect "$image" >/dev/null 2>&1 && exit 0

busybox=/bin/busybox
[[ -x $busybox ]] || { echo "test-image: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }
# busybox-static's binary must not need a dynamic loader inside a FROM scratch image.
if file -L "$busybox" 2>/dev/null | grep -q 'dynamically linked'; then
  echo "test-image: $busybox is dynamically linked; install busybox-static" >&2; exit 1
fi

ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp "$busybox" "$ctx/busybox"
cat >"$ctx/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
CMD ["sh"]
DOCKERFILE
# The classic builder: BuildKit's frontend image would have to be pulled.
if ! out=$(DOCKER_BUILDKIT=0 docker build -t "$image" "$ctx" 2>&1); then
  echo "$out" >&2; exit 1
fi
echo "test-image: built $image"
