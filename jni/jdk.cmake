# Finds the JDK's JNI headers for the Java binding: JAVA_HOME when set, else
# the JDK of the javac on PATH (Debian's JDK packages set no JAVA_HOME).
# Sets JNI_FOUND and JNI_INCLUDE_DIRS; a build without a JDK skips jni/.
if(NOT JAVA_HOME AND NOT DEFINED ENV{JAVA_HOME})
  find_program(LAKEBASE_JAVAC javac)
  if(LAKEBASE_JAVAC)
    file(REAL_PATH ${LAKEBASE_JAVAC} lakebase_javac_path)
    get_filename_component(JAVA_HOME ${lakebase_javac_path} DIRECTORY)
    get_filename_component(JAVA_HOME ${JAVA_HOME} DIRECTORY)
  endif()
endif()
find_package(JNI COMPONENTS JVM)
