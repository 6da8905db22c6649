#!/usr/bin/env bash
# Usage: scripts/drill.sh [--url URL | --stack NAME] [--faults LIST | --nemesis --seed N] [--duration D] [--help]
#   — a game day: load with every answer checked, faults on a schedule, and target/drill/<time>/report.html.
# Against the local cluster by default (scripts/cluster.sh's, or one of the drill's own with a Redis pair and a
# PostgreSQL of its own, started when none runs). --help lists every option. Ctrl-C stops it: the report is written
# for what ran, and every process it started is stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

select_jdk
local_target=true
for arg in "$@"; do
  [[ $arg == --url || $arg == --stack ]] && local_target=false
done
if $local_target; then
  ensure_test_tools # HAProxy, socat, redis-server and PostgreSQL for the cluster and the drill's own Redis and database
fi

# The drill is built with the tests (it shares their Redis and proxy helpers); the replicas run the packaged jar.
jar=target/quarkus-app/quarkus-run.jar
if [[ ! -f $jar || ! -d target/test-classes ]] || [[ -n $(find src pom.xml -newer "$jar" -print -quit) ]]; then
  log "building the service and the drill"
  ./mvnw -B -q package -DskipTests
fi
classpath=target/drill.classpath
if [[ ! -s $classpath || pom.xml -nt $classpath ]]; then
  ./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath" >/dev/null
fi
# The class path holds JBoss LogManager, which says so on stderr unless it is the JDK logging's manager from the start.
exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "target/test-classes:target/classes:$(cat "$classpath")" dev.posts.drill.Drill "$@"
