#!/usr/bin/env bash
# Usage: scripts/runtime.sh  — writes target/runtime: the Java runtime the image ships, jlinked from this build's JDK 25.
#
# The AOT cache is used only by the very runtime that recorded it (the JVM checks its build and the size of its
# lib/modules), so the image does not take a JRE from a base image: scripts/aot-train.sh records the cache with this
# runtime, the tests run the replicas on it with -XX:AOTMode=on (a start without the cache fails), and the Dockerfile
# copies both. The modules are those the service's jars use (jdeps), and those they reach only by reflection or
# service loading: java.rmi (the transaction manager's exceptions), jdk.crypto.ec (TLS to RDS and ElastiCache),
# jdk.naming.dns, jdk.zipfs, jdk.management (the process metrics). The tests run every replica on it, so a module
# missing here fails them (NoClassDefFoundError at start). Rebuilt only when the JDK changes.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

select_jdk
modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.naming,java.net.http
modules+=,java.rmi,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml
modules+=,jdk.crypto.ec,jdk.management,jdk.naming.dns,jdk.unsupported,jdk.zipfs
runtime=target/runtime
stamp="$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | grep -E '^ *java\.(vm\.)?version =' | tr -d ' \n')|$modules"
if [[ -x $runtime/bin/java && -f $runtime/.built-from && $(cat "$runtime/.built-from") == "$stamp" ]]; then
  exit 0
fi
rm -rf "$runtime"
# No compression: the start reads classes from the AOT cache and the rest from lib/modules, and inflating costs time.
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --output "$runtime" --strip-debug --no-man-pages --no-header-files
echo "$stamp" > "$runtime/.built-from"
log "runtime: $runtime ($(du -sm "$runtime" | cut -f1) MiB, $("$runtime/bin/java" -version 2>&1 | head -n 1))"
