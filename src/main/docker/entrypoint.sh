#!/bin/sh
# The image's entrypoint: `serve` (the default: the ECS service's tasks) or `migrate` (the deploy's one-off task,
# before it updates the service). ImageRuntimeIT runs this very file, with POSTS_HOME and POSTS_RUNTIME pointing at
# the build's target/quarkus-app and target/runtime, as the image lays them out.
#
# JAVA_OPTS comes from the task definition; the shell splits it onto the command line and then replaces itself with
# the JVM (exec), so SIGTERM reaches the JVM. Not JAVA_TOOL_OPTIONS: the JVM announces that variable on stderr, a line
# that is not JSON in the task's log.
set -eu
home=${POSTS_HOME:-/deployments}
java=${POSTS_RUNTIME:-/opt/java}/bin/java
# The AOT cache holds the class path as the training run gave it, relative to the application's directory.
cd "$home"
case "${1:-serve}" in
  serve)
    # -XX:AOTMode=on: the cache was recorded on this runtime and these files (scripts/aot-train.sh); a JVM that could
    # not use it refuses to start, where it would otherwise start without it (3 s instead of 1.2) and say so in lines
    # that break the JSON log. A task that cannot start fails the deploy, which the circuit breaker rolls back.
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of flags
    exec "$java" $JAVA_OPTS -XX:AOTCache=posts.aot -XX:AOTMode=on \
      -Djava.util.logging.manager=org.jboss.logmanager.LogManager -jar quarkus-run.jar ;;
  migrate)
    # A plain main on the application's jars: no Quarkus, no port, no Redis (dev.posts.schema.Migrate).
    # shellcheck disable=SC2086
    exec "$java" $JAVA_OPTS -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
      -cp "app/*:lib/main/*:lib/boot/*" dev.posts.schema.Migrate ;;
  *)
    echo "usage: entrypoint.sh [serve|migrate]" >&2
    exit 64 ;;
esac
