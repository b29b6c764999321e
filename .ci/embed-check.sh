#!/usr/bin/env bash
# The embedding guide, tried as a new user would (issue 11's "Done when"): install the library artifacts, then in a
# scratch Maven project outside the repository that imports dev.coreloop:coreloop-bom and depends on coreloop-core,
# compile the guide's example server (docs/embedding.md, kept equal to core's EmbeddedEcho.java by a test), start it
# with the documented JVM option, check it echoes, stop it with SIGTERM, and check that without the option it fails
# with the documented message.
#
#   .ci/embed-check.sh               # mvn install first (skips tests), then the check
#   .ci/embed-check.sh --no-install  # the artifacts are already in ~/.m2
#
# MVN_FLAGS (default "-B -q") is passed to every Maven call, e.g. MVN_FLAGS="-B -q -o" offline.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
mvn_flags=(${MVN_FLAGS:--B -q})
option="--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"
documented="coreloop cannot start: Agrona needs jdk.internal.misc.Unsafe"

fail() { echo "embed-check: FAILED: $*" >&2; exit 1; }

if [ "${1:-}" != "--no-install" ]; then
    (cd "$repo" && mvn "${mvn_flags[@]}" install -DskipTests -Djcstress.skip)
fi
version="$(grep -m1 -o '<version>[^<]*</version>' "$repo/pom.xml" | sed 's:</*version>::g')" # the project's own
slf4j="$(sed -n 's:.*<slf4j.version>\(.*\)</slf4j.version>.*:\1:p' "$repo/pom.xml")"
[ -n "$version" ] && [ -n "$slf4j" ] || fail "cannot read the project or slf4j version from $repo/pom.xml"
grep -q "<!-- EmbeddedEcho.java -->" "$repo/docs/embedding.md" || fail "docs/embedding.md has no EmbeddedEcho.java block"

scratch="$(mktemp -d /tmp/coreloop-embed-check.XXXXXX)"
server_pid=""
cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
    rm -rf "$scratch"
}
trap cleanup EXIT
case "$scratch" in "$repo"/*) fail "scratch dir $scratch is inside the repository";; esac

# The example exactly as the guide shows it: the java block after the marker.
mkdir -p "$scratch/src/main/java/com/example/echo"
awk '/^<!-- EmbeddedEcho.java -->$/ { marker = 1; next }
     marker && /^```java$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' "$repo/docs/embedding.md" > "$scratch/src/main/java/com/example/echo/EmbeddedEcho.java"
[ -s "$scratch/src/main/java/com/example/echo/EmbeddedEcho.java" ] || fail "no example code extracted from the guide"

cat > "$scratch/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>embed-check</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencyManagement>
    <dependencies>
      <dependency>
        <groupId>dev.coreloop</groupId>
        <artifactId>coreloop-bom</artifactId>
        <version>${version}</version>
        <type>pom</type>
        <scope>import</scope>
      </dependency>
    </dependencies>
  </dependencyManagement>
  <dependencies>
    <dependency>
      <groupId>dev.coreloop</groupId>
      <artifactId>coreloop-core</artifactId>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-simple</artifactId>
      <version>${slf4j}</version>
      <scope>runtime</scope>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.14.0</version></plugin>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-dependency-plugin</artifactId><version>3.8.1</version></plugin>
    </plugins>
  </build>
</project>
EOF

(cd "$scratch" && mvn "${mvn_flags[@]}" compile dependency:build-classpath -Dmdep.outputFile=classpath.txt -Dmdep.includeScope=runtime) \
    || fail "the guide's example does not compile against coreloop-core $version"
cp="$scratch/target/classes:$(cat "$scratch/classpath.txt")"
case "$cp" in *coreloop-core-"$version".jar*) ;; *) fail "coreloop-core $version is not on the classpath: $cp";; esac

# 1. With the option: starts, echoes, stops on SIGTERM.
java "$option" -cp "$cp" com.example.echo.EmbeddedEcho 0 > "$scratch/out.txt" 2> "$scratch/err.txt" &
server_pid=$!
port=""
for _ in $(seq 1 300); do
    port="$(sed -n 's/^echo listening on .*:\([0-9][0-9]*\)$/\1/p' "$scratch/out.txt")"
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || fail "the server exited: $(cat "$scratch/err.txt")"
    sleep 0.1
done
[ -n "$port" ] || fail "the server did not report its port within 30 s: $(cat "$scratch/out.txt" "$scratch/err.txt")"

exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect to 127.0.0.1:$port"
printf 'hello, coreloop\n' >&3
IFS= read -r -t 10 reply <&3 || fail "no echo within 10 s"
exec 3>&-
[ "$reply" = "hello, coreloop" ] || fail "echo answered '$reply'"

kill -TERM "$server_pid"
for _ in $(seq 1 150); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$server_pid" 2>/dev/null; then fail "the server did not stop within 15 s of SIGTERM"; fi
wait "$server_pid" || true
server_pid=""
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then fail "port $port still accepts after the server stopped"; fi
grep -q "coreloop started" "$scratch/err.txt" || fail "no start line logged: $(cat "$scratch/err.txt")"

# 2. Without the option: fails at once, naming it.
set +e
timeout 60 java -cp "$cp" com.example.echo.EmbeddedEcho 0 > "$scratch/out2.txt" 2> "$scratch/err2.txt"
status=$?
set -e
[ "$status" -ne 0 ] && [ "$status" -ne 124 ] || fail "without $option the server did not fail (exit $status)"
grep -qF -e "$documented" "$scratch/err2.txt" || fail "without the option, no '$documented': $(cat "$scratch/err2.txt")"
grep -qF -e "$option" "$scratch/err2.txt" || fail "the failure does not name $option: $(cat "$scratch/err2.txt")"

echo "embed-check: coreloop-core $version from the BOM: the guide's server compiled outside the repository," \
    "echoed on 127.0.0.1:$port with $option, stopped on SIGTERM, and without the option failed naming it"
