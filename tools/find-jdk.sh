#!/usr/bin/env bash
# Prints the home of a JDK >= 21: $JAVA_HOME if it qualifies, else the newest one under /usr/lib/jvm.
set -euo pipefail
major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1; }
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(major "$JAVA_HOME")" -ge 21 ]; then
  echo "$JAVA_HOME"; exit 0
fi
best=""; best_v=0
for d in /usr/lib/jvm/*/; do
  d="${d%/}"
  [ -x "$d/bin/javac" ] || continue
  v="$(major "$d" 2>/dev/null || echo 0)"
  if [ "${v:-0}" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best="$d"; best_v="$v"; fi
done
if [ -z "$best" ]; then
  echo "find-jdk: no JDK >= 21 found (set JAVA_HOME, or install e.g. openjdk-21-jdk / temurin-21)" >&2
  exit 1
fi
echo "$best"
