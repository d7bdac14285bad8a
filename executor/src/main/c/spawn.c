/*
 * Starts the launcher for the JVM with posix_spawn(3), connected by two pipes (its stdin and
 * stdout; stderr is shared). The JDK's ProcessBuilder does the same job, but its first start in a
 * JVM looks for a System.Logger provider, which opens every jar on the class path: 30-60 ms of a
 * cold `sluice run` (see docs/performance.md). The child gets only fds 0-2: every other
 * descriptor of the JVM (the database, jars, logs) is closed in it before exec.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jni.h>
#include <signal.h>
#include <stdio.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void throw_io(JNIEnv *env, const char *what, int err) {
    char message[256];
    snprintf(message, sizeof message, "%s: %s", what, strerror(err));
    jclass io = (*env)->FindClass(env, "java/io/IOException");
    if (io != NULL) {
        (*env)->ThrowNew(env, io, message);
    }
}

/* A NUL-terminated copy of a Java byte array, or NULL (with an exception pending). */
static char *copy_bytes(JNIEnv *env, jbyteArray bytes) {
    jsize n = (*env)->GetArrayLength(env, bytes);
    char *copy = malloc((size_t) n + 1);
    if (copy == NULL) {
        throw_io(env, "spawn", ENOMEM);
        return NULL;
    }
    (*env)->GetByteArrayRegion(env, bytes, 0, n, (jbyte *) copy);
    copy[n] = '\0';
    return copy;
}

/*
 * Starts PROGRAM (no arguments) with ENVIRONMENT (NAME=VALUE byte strings); returns
 * {pid, fd of its stdin's writing end, fd of its stdout's reading end}.
 */
JNIEXPORT jlongArray JNICALL Java_io_sluice_executor_NativeSpawn_spawn(JNIEnv *env, jclass cls, jbyteArray program,
                                                                     jobjectArray environment) {
    (void) cls;
    jlongArray result = NULL;
    jsize count = (*env)->GetArrayLength(env, environment);
    char *path = copy_bytes(env, program);
    char **envp = calloc((size_t) count + 1, sizeof(char *));
    int in[2] = {-1, -1}, out[2] = {-1, -1};
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int actions_ready = 0, attributes_ready = 0;
    if (path == NULL || envp == NULL) {
        if (envp == NULL && path != NULL) {
            throw_io(env, "spawn", ENOMEM);
        }
        goto done;
    }
    for (jsize i = 0; i < count; i++) {
        jbyteArray entry = (jbyteArray) (*env)->GetObjectArrayElement(env, environment, i);
        envp[i] = copy_bytes(env, entry);
        (*env)->DeleteLocalRef(env, entry);
        if (envp[i] == NULL) {
            goto done;
        }
    }
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
        throw_io(env, "pipe", errno);
        goto done;
    }
    int rc = posix_spawn_file_actions_init(&actions);
    actions_ready = rc == 0;
    if (rc == 0) {
        rc = posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    }
    if (rc == 0) {
        rc = posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    }
    if (rc == 0) {
        rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    }
    if (rc == 0) {
        rc = posix_spawnattr_init(&attributes);
        attributes_ready = rc == 0;
    }
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    if (rc == 0) {
        rc = posix_spawnattr_setsigmask(&attributes, &none);
    }
    if (rc == 0) {
        rc = posix_spawnattr_setsigdefault(&attributes, &all);
    }
    if (rc == 0) {
        rc = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    }
    if (rc != 0) {
        throw_io(env, "spawn attributes", rc);
        goto done;
    }
    char *argv[] = {path, NULL};
    pid_t pid;
    rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp);
    if (rc != 0) {
        throw_io(env, path, rc);
        goto done;
    }
    jlong values[3] = {pid, in[1], out[0]};
    result = (*env)->NewLongArray(env, 3);
    if (result != NULL) {
        (*env)->SetLongArrayRegion(env, result, 0, 3, values);
        in[1] = -1; /* handed over to the caller */
        out[0] = -1;
    }
done:
    if (actions_ready) {
        posix_spawn_file_actions_destroy(&actions);
    }
    if (attributes_ready) {
        posix_spawnattr_destroy(&attributes);
    }
    for (int i = 0; i < 2; i++) {
        if (in[i] >= 0) {
            close(in[i]);
        }
        if (out[i] >= 0) {
            close(out[i]);
        }
    }
    if (envp != NULL) {
        for (jsize i = 0; i < count; i++) {
            free(envp[i]);
        }
        free(envp);
    }
    free(path);
    return result;
}

/* A java.io.FileDescriptor for FD, which then owns it (closing its stream closes FD). */
JNIEXPORT jobject JNICALL Java_io_sluice_executor_NativeSpawn_descriptor(JNIEnv *env, jclass cls, jint fd) {
    (void) cls;
    jclass type = (*env)->FindClass(env, "java/io/FileDescriptor");
    if (type == NULL) {
        return NULL;
    }
    jmethodID init = (*env)->GetMethodID(env, type, "<init>", "()V");
    jfieldID field = (*env)->GetFieldID(env, type, "fd", "I");
    if (init == NULL || field == NULL) {
        return NULL;
    }
    jobject descriptor = (*env)->NewObject(env, type, init);
    if (descriptor != NULL) {
        (*env)->SetIntField(env, descriptor, field, fd);
    }
    return descriptor;
}

/* Waits for child PID to end and reaps it: its exit status (128 + signal when killed), or -1 if it is not our child. */
JNIEXPORT jint JNICALL Java_io_sluice_executor_NativeSpawn_awaitExit(JNIEnv *env, jclass cls, jlong pid) {
    (void) env;
    (void) cls;
    int status;
    pid_t r;
    do {
        r = waitpid((pid_t) pid, &status, 0);
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
