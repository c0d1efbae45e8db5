#!/bin/sh
# Builds and tests the Java binding (jni/) against this build's
# liblakebase_jni ($LAKEBASE_JNI_DIR, default BUILD_DIR/jni).
#   java.sh stage BUILD_DIR        copy jni/ to BUILD_DIR/java-pkg, build it
#                                  (mvn package, tests compiled, not run) and
#                                  write the conformance runner's class path
#   java.sh test BUILD_DIR         the JUnit tests (-Xcheck:jni) against the
#                                  emulator; fails on any JNI checker warning
#   java.sh conformance BUILD_DIR SCENARIO.json
#                                  the Java conformance runner on one scenario
#   java.sh new-user BUILD_DIR     mvn install into a throwaway local
#                                  repository, then a fresh Maven project that
#                                  depends only on lakebase-java (no
#                                  Micrometer, its optional dependency) runs a
#                                  query against the emulator and reads the
#                                  pool's metric points
# The emulator's env file comes from $LAKEBASE_EMULATOR_ENV_FILE. Maven's
# downloads stay in ~/.m2 (BUILD_DIR/m2 without a HOME).
set -eu

mode=$1
build=$(cd "$2" && pwd)
pkg=$build/java-pkg
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../../jni" && pwd)
jni_dir=${LAKEBASE_JNI_DIR:-$build/jni}

if [ -n "${HOME:-}" ]; then
    repo=$HOME/.m2/repository
else
    repo=$build/m2
fi
mvn_() {
    mvn -B --no-transfer-progress -Dmaven.repo.local="$repo" -Dlakebase.native.dir="$jni_dir" "$@"
}

# The JNI checker (-Xcheck:jni) reports misuse of the JNI API as warnings
# and carries on; any such line fails the run.
check_jni_log() {
    if grep -n -E 'WARNING in native method|FATAL ERROR in native method|JNI call made|exceeds capacity' "$1"; then
        echo "java.sh: the JNI checker reported the lines above" >&2
        exit 1
    fi
}

case $mode in
stage)
    rm -rf "$pkg"
    mkdir -p "$pkg"
    (cd "$src" && tar cf - --exclude='./*/target' --exclude=./target .) | (cd "$pkg" && tar xf -)
    cd "$pkg"
    mvn_ -q -DskipTests package
    mvn_ -q -f lakebase-java/pom.xml dependency:build-classpath -Dmdep.includeScope=test \
        -Dmdep.outputFile="$pkg/conformance.classpath"
    ;;
test)
    cd "$pkg"
    log=$pkg/test.log
    status=0
    mvn_ package >"$log" 2>&1 || status=$?
    cat "$log"
    [ "$status" -eq 0 ] || exit "$status"
    check_jni_log "$log"
    ;;
conformance)
    cp="$pkg/lakebase-java/target/test-classes:$pkg/lakebase-java/target/classes:$(cat "$pkg/conformance.classpath")"
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    status=0
    java -Xcheck:jni -cp "$cp" io.lakebase.conformance.ConformanceRunner -v \
        --env-file "$LAKEBASE_EMULATOR_ENV_FILE" "$3" 2>"$log" || status=$?
    cat "$log" >&2
    check_jni_log "$log"
    exit "$status"
    ;;
new-user)
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    # A throwaway local repository: Maven's plugins hard-linked from the
    # cache (no downloads), nothing of io.lakebase until this install.
    mkdir -p "$repo"
    cp -al "$repo" "$work/repo"
    rm -rf "$work/repo/io/lakebase"
    repo=$work/repo
    (cd "$pkg" && mvn_ -q -DskipTests install)
    mkdir -p "$work/app/src/main/java/example"
    cd "$work/app"
    cat >pom.xml <<'POM'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>example</groupId>
  <artifactId>new-user</artifactId>
  <version>1</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>io.lakebase</groupId>
      <artifactId>lakebase-java</artifactId>
      <version>0.3.0</version>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-compiler-plugin</artifactId>
        <version>3.16.0</version>
      </plugin>
      <plugin>
        <groupId>org.codehaus.mojo</groupId>
        <artifactId>exec-maven-plugin</artifactId>
        <version>3.5.1</version>
        <configuration>
          <mainClass>example.Main</mainClass>
        </configuration>
      </plugin>
    </plugins>
  </build>
</project>
POM
    cat >src/main/java/example/Main.java <<'JAVA'
package example;

import io.lakebase.LakebaseConfig;
import io.lakebase.LakebasePool;

public class Main {
    public static void main(String[] args) {
        // Workspace, identity and endpoint come from the environment.
        try (LakebasePool pool = LakebasePool.open(LakebaseConfig.fromEnvironment())) {
            System.out.println("logged in as " + pool.query("SELECT current_user").scalar());
            System.out.println("metric points: " + pool.metrics("app").size());
        }
    }
}
JAVA
    set -a
    . "$LAKEBASE_EMULATOR_ENV_FILE"
    set +a
    unset LD_LIBRARY_PATH
    if ldconfig -p | grep -q 'liblakebase'; then
        echo "java.sh: a liblakebase is installed system-wide; the new-user check needs none" >&2
        exit 1
    fi
    status=0
    out=$(mvn -B -q --no-transfer-progress -Dmaven.repo.local="$repo" compile exec:java 2>&1) || status=$?
    echo "$out"
    [ "$status" -eq 0 ] || exit "$status"
    # Maven 3.8 prints colour resets even with -B -q: drop escape sequences.
    esc=$(printf '\033')
    plain=$(printf '%s\n' "$out" | sed "s/$esc\[[0-9;]*m//g")
    if ! printf '%s\n' "$plain" | grep -Fqx "logged in as $DATABRICKS_CLIENT_ID"; then
        echo "java.sh: the fresh project did not print 'logged in as $DATABRICKS_CLIENT_ID'" >&2
        exit 1
    fi
    if ! printf '%s\n' "$plain" | grep -Eqx 'metric points: [1-9][0-9]*'; then
        echo "java.sh: the fresh project read no metric points without Micrometer" >&2
        exit 1
    fi
    ;;
*)
    echo "usage: $0 stage|test|conformance|new-user BUILD_DIR [SCENARIO]" >&2
    exit 2
    ;;
esac
