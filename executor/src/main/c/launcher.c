/*
 * Sluice's native process launcher: the same program as launcher.pl, line for line in what it
 * reads and answers, but it starts each command with vfork(2) instead of a full fork of a Perl
 * interpreter. The child shares the parent's memory until it calls execve, so starting a
 * command costs what starting /bin/sh costs and nothing more (about 1.3 ms less per task than
 * the forked Perl child on the development machine, see docs/performance.md).
 *
 * Requests on stdin, replies on stdout, one per line; fields that may hold any byte are hex:
 *   start ID CWD LOG EXITFILE CMD ENV...   ->  started ID PID STARTTIME  |  failed ID MESSAGE
 *   signal ID SIGNAL                       ->  (signals the command's group while it runs)
 *   ack ID                                 ->  (Sluice has recorded the command's exit status)
 *   (when a command ends)                  ->  exited ID STATUS [alone]
 * ("alone": the launcher has no child but running commands, so the command left nothing running.) Each command runs as `/bin/sh -c CMD` in a session of its own, stdin from /dev/null, stdout and
 * stderr appended to LOG, in CWD, with exactly the environment ENV. Its exit status is written to
 * EXITFILE unless Sluice acknowledges it within two seconds (it has then committed it to its
 * database, and a file per task would only cost the file system an inode), and always once Sluice
 * is gone: the launcher keeps reaping until its last command ends.
 * It is a child subreaper, so what a command leaves running after its parent ended is re-parented
 * here, where Sluice can find it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct job {
    pid_t pid;
    char *id;
    char *exit_path;
};

static struct job *jobs;
static size_t job_count, job_capacity;

/* Ended commands whose status Sluice has not acknowledged yet: written to their exit files if it
 * does not within UNACKED_MS, or at once when Sluice is gone. */
struct unacked {
    char *id;
    char *exit_path;
    int code;
    long long ended_ms;
};
#define UNACKED_MS 2000
static struct unacked *unacked;
static size_t unacked_count, unacked_capacity;
static int sluice_gone;
static int wake_pipe[2];

static void on_child(int sig) {
    (void) sig;
    int saved = errno;
    ssize_t ignored = write(wake_pipe[1], "x", 1);
    (void) ignored;
    errno = saved;
}

static void *grow(void *p, size_t size) {
    void *q = realloc(p, size);
    if (q == NULL) {
        fputs("sluice launcher: out of memory\n", stderr);
        exit(70);
    }
    return q;
}

static void write_all(int fd, const char *data, size_t length) {
    while (length > 0) {
        ssize_t n = write(fd, data, length);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return; /* Sluice is gone (EPIPE): exit files are still written */
        }
        data += n;
        length -= (size_t) n;
    }
}

static void reply(const char *line) {
    write_all(STDOUT_FILENO, line, strlen(line));
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long) t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void write_exit_file(const char *path, int code) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd >= 0) {
        char text[32];
        snprintf(text, sizeof text, "%d\n", code);
        write_all(fd, text, strlen(text));
        close(fd);
    }
}

/* Writes the exit files of unacknowledged commands that ended before `before` (all: LLONG_MAX). */
static void flush_unacked(long long before) {
    size_t kept = 0;
    for (size_t i = 0; i < unacked_count; i++) {
        if (unacked[i].ended_ms < before) {
            write_exit_file(unacked[i].exit_path, unacked[i].code);
            free(unacked[i].id);
            free(unacked[i].exit_path);
        } else {
            unacked[kept++] = unacked[i];
        }
    }
    unacked_count = kept;
}

static void acknowledge(char **field, int fields) {
    if (fields < 2) {
        return;
    }
    for (size_t i = 0; i < unacked_count; i++) {
        if (strcmp(unacked[i].id, field[1]) == 0) {
            free(unacked[i].id);
            free(unacked[i].exit_path);
            unacked[i] = unacked[--unacked_count];
            return;
        }
    }
}

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Decodes hex into a new NUL-terminated string; NULL if it is not hex. */
static char *unhex(const char *hex) {
    size_t n = strlen(hex);
    if (n % 2 != 0) {
        return NULL;
    }
    char *out = grow(NULL, n / 2 + 1);
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            free(out);
            return NULL;
        }
        out[i] = (char) (hi * 16 + lo);
    }
    out[n / 2] = '\0';
    return out;
}

static char *hex_of(const char *text) {
    static const char digits[] = "0123456789abcdef";
    size_t n = strlen(text);
    char *out = grow(NULL, 2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[(unsigned char) text[i] >> 4];
        out[2 * i + 1] = digits[(unsigned char) text[i] & 15];
    }
    out[2 * n] = '\0';
    return out;
}

static void reply_failed(const char *id, const char *message) {
    char *hex = hex_of(message);
    size_t size = strlen(id) + strlen(hex) + 16;
    char *line = grow(NULL, size);
    snprintf(line, size, "failed %s %s\n", id, hex);
    reply(line);
    free(line);
    free(hex);
}

/* The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), or "-". */
static void start_time_of(pid_t pid, char *out, size_t size) {
    snprintf(out, size, "-");
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int) pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return;
    }
    char stat[1024];
    ssize_t n = read(fd, stat, sizeof stat - 1);
    close(fd);
    if (n <= 0) {
        return;
    }
    stat[n] = '\0';
    /* the command name (field 2) may hold spaces and parentheses: count from its last ')' */
    char *p = strrchr(stat, ')');
    if (p == NULL) {
        return;
    }
    p += 2;
    for (int field = 0; field < 19 && p != NULL; field++) {
        p = strchr(p, ' ');
        if (p != NULL) {
            p++;
        }
    }
    if (p == NULL) {
        return;
    }
    size_t length = strcspn(p, " ");
    if (length == 0 || length >= size) {
        return;
    }
    memcpy(out, p, length);
    out[length] = '\0';
}

static void append_to_log(const char *log, const char *what, const char *detail, int error) {
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    if (fd < 0) {
        return;
    }
    char line[8192];
    snprintf(line, sizeof line, "sluice: %s%s: %s\n", what, detail, strerror(error));
    write_all(fd, line, strlen(line));
    close(fd);
}

/* Opens path as file descriptor fd (system calls only: it runs in a vfork child); 0 on failure. */
static int open_as(const char *path, int flags, int fd) {
    int opened = open(path, flags, 0666);
    if (opened < 0) {
        return 0;
    }
    if (opened != fd) {
        dup2(opened, fd);
        close(opened);
    }
    return 1;
}

static void start_command(char **field, int fields) {
    if (fields < 6) {
        return;
    }
    const char *id = field[1];
    char *cwd = unhex(field[2]), *log = unhex(field[3]), *exit_path = unhex(field[4]), *cmd = unhex(field[5]);
    int env_count = fields - 6;
    char **env = grow(NULL, sizeof(char *) * (size_t) (env_count + 1));
    int bad = cwd == NULL || log == NULL || exit_path == NULL || cmd == NULL;
    for (int i = 0; i < env_count; i++) {
        env[i] = unhex(field[6 + i]);
        bad = bad || env[i] == NULL;
    }
    env[env_count] = NULL;
    if (bad) {
        reply_failed(id, "bad request: a field is not hex");
        goto done;
    }
    char *argv[] = {"sh", "-c", cmd, NULL};

    /* The child runs in the parent's memory until execve: it may only make system calls, and it
     * reports a failure through these two variables, which the parent reads once vfork returns. */
    volatile int failed_step = 0;
    volatile int failed_errno = 0;
    sigset_t all, before;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, &before);
    pid_t pid = vfork();
    if (pid == 0) {
        /* no handler of the parent may run in this shared memory: defaults, then unblock (main
         * set every other signal to its default at start) */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        static const int changed[] = {SIGCHLD, SIGINT, SIGHUP, SIGPIPE};
        for (size_t i = 0; i < sizeof changed / sizeof changed[0]; i++) {
            sigaction(changed[i], &dfl, NULL);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        setsid();
        if (!open_as(log, O_WRONLY | O_CREAT | O_APPEND, STDOUT_FILENO) || !open_as("/dev/null", O_RDONLY, STDIN_FILENO)) {
            failed_step = 1;
            failed_errno = errno;
            _exit(126);
        }
        dup2(STDOUT_FILENO, STDERR_FILENO);
        if (chdir(cwd) != 0) {
            failed_step = 2;
            failed_errno = errno;
            _exit(126);
        }
        execve("/bin/sh", argv, env);
        failed_step = 3;
        failed_errno = errno;
        _exit(127);
    }
    int spawn_errno = errno;
    sigprocmask(SIG_SETMASK, &before, NULL);
    if (pid < 0) {
        char message[256];
        snprintf(message, sizeof message, "vfork: %s", strerror(spawn_errno));
        reply_failed(id, message);
        goto done;
    }
    /* as launcher.pl's child does, say in the log why the command did not run */
    if (failed_step == 2) {
        append_to_log(log, "cannot enter ", cwd, failed_errno);
    } else if (failed_step == 3) {
        append_to_log(log, "cannot run /bin/sh", "", failed_errno);
    }
    char start[64];
    start_time_of(pid, start, sizeof start);
    if (job_count == job_capacity) {
        job_capacity = job_capacity == 0 ? 64 : 2 * job_capacity;
        jobs = grow(jobs, sizeof(struct job) * job_capacity);
    }
    jobs[job_count].pid = pid;
    jobs[job_count].id = strdup(id);
    jobs[job_count].exit_path = exit_path;
    exit_path = NULL;
    job_count++;
    char line[256];
    snprintf(line, sizeof line, "started %s %d %s\n", id, (int) pid, start);
    reply(line);

done:
    free(cwd);
    free(log);
    free(exit_path);
    free(cmd);
    for (int i = 0; i < env_count; i++) {
        free(env[i]);
    }
    free(env);
}

static void signal_command(char **field, int fields) {
    if (fields < 3) {
        return;
    }
    int sig = strcmp(field[2], "TERM") == 0 ? SIGTERM
            : strcmp(field[2], "KILL") == 0 ? SIGKILL
            : strcmp(field[2], "INT") == 0 ? SIGINT : 0;
    for (size_t i = 0; i < job_count && sig != 0; i++) {
        /* only while the leader is not reaped: then its pid still names this group */
        if (strcmp(jobs[i].id, field[1]) == 0) {
            kill(-jobs[i].pid, sig);
        }
    }
}

/* Whether every child of this process is a running command: no orphan of a command is left.
 * Asks /proc/self/task/PID/children (Linux 3.5+ with CONFIG_PROC_CHILDREN); 0 when it cannot tell. */
static int no_orphans(void) {
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/children", (int) getpid());
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    char text[65536];
    size_t used = 0;
    ssize_t n;
    while (used < sizeof text - 1 && (n = read(fd, text + used, sizeof text - 1 - used)) > 0) {
        used += (size_t) n;
    }
    close(fd);
    if (used >= sizeof text - 1) {
        return 0; /* too many children to be sure */
    }
    text[used] = '\0';
    for (char *save = NULL, *f = strtok_r(text, " \n", &save); f != NULL; f = strtok_r(NULL, " \n", &save)) {
        pid_t child = (pid_t) atoi(f);
        int job = 0;
        for (size_t i = 0; i < job_count && !job; i++) {
            job = jobs[i].pid == child;
        }
        if (!job) {
            return 0;
        }
    }
    return 1;
}

struct ended {
    struct job job;
    int code;
};

static void reap(void) {
again:;
    struct ended ended[64];
    size_t count = 0;
    int status;
    pid_t pid = 0;
    while (count < sizeof ended / sizeof ended[0] && (pid = waitpid(-1, &status, WNOHANG)) > 0) {
        int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        for (size_t i = 0; i < job_count; i++) {
            if (jobs[i].pid == pid) {
                ended[count].job = jobs[i];
                ended[count].code = code;
                count++;
                jobs[i] = jobs[--job_count];
                break;
            }
        }
        /* an orphan of some command: reaped, nothing to report */
    }
    /* No child left but the commands still running: then what the ended commands started does
     * not run any more, since whatever outlives its parent is re-parented here, and Sluice need
     * not look for leftovers. */
    int alone = (pid < 0 && errno == ECHILD) || no_orphans();
    for (size_t i = 0; i < count; i++) {
        char line[256];
        snprintf(line, sizeof line, "exited %s %d%s\n", ended[i].job.id, ended[i].code, alone ? " alone" : "");
        reply(line);
        if (sluice_gone) {
            write_exit_file(ended[i].job.exit_path, ended[i].code);
            free(ended[i].job.id);
            free(ended[i].job.exit_path);
            continue;
        }
        if (unacked_count == unacked_capacity) {
            unacked_capacity = unacked_capacity == 0 ? 64 : 2 * unacked_capacity;
            unacked = grow(unacked, sizeof(struct unacked) * unacked_capacity);
        }
        unacked[unacked_count].id = ended[i].job.id;
        unacked[unacked_count].exit_path = ended[i].job.exit_path;
        unacked[unacked_count].code = ended[i].code;
        unacked[unacked_count].ended_ms = now_ms();
        unacked_count++;
    }
    if (count == sizeof ended / sizeof ended[0]) {
        goto again; /* more may have ended */
    }
}

static void handle(char *line) {
    int fields = 0, capacity = 16;
    char **field = grow(NULL, sizeof(char *) * (size_t) capacity);
    for (char *save = NULL, *f = strtok_r(line, " ", &save); f != NULL; f = strtok_r(NULL, " ", &save)) {
        if (fields == capacity) {
            capacity *= 2;
            field = grow(field, sizeof(char *) * (size_t) capacity);
        }
        field[fields++] = f;
    }
    if (fields > 0 && strcmp(field[0], "start") == 0) {
        start_command(field, fields);
    } else if (fields > 0 && strcmp(field[0], "signal") == 0) {
        signal_command(field, fields);
    } else if (fields > 0 && strcmp(field[0], "ack") == 0) {
        acknowledge(field, fields);
    }
    free(field);
}

int main(void) {
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    /* what the JVM left ignored must not stay ignored in the commands (exec keeps ignored signals) */
    for (int s = 1; s < NSIG; s++) {
        if (s != SIGKILL && s != SIGSTOP) {
            signal(s, SIG_DFL);
        }
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    /* Ctrl-C reaches Sluice, which decides; commands are in sessions of their own */
    signal(SIGINT, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN); /* Sluice may be gone; exit files still get written */
    if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        perror("sluice launcher: pipe");
        return 71;
    }
    struct sigaction on_chld;
    memset(&on_chld, 0, sizeof on_chld);
    on_chld.sa_handler = on_child;
    on_chld.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&on_chld.sa_mask);
    sigaction(SIGCHLD, &on_chld, NULL);

    size_t used = 0, size = 1 << 16;
    char *buffer = grow(NULL, size);
    int eof = 0;
    for (;;) {
        reap();
        if (eof && job_count == 0) {
            return 0;
        }
        flush_unacked(now_ms() - UNACKED_MS);
        int timeout = 5000;
        for (size_t i = 0; i < unacked_count; i++) {
            long long due = unacked[i].ended_ms + UNACKED_MS - now_ms();
            timeout = due < timeout ? (due < 1 ? 1 : (int) due) : timeout;
        }
        struct pollfd fds[2] = {{wake_pipe[0], POLLIN, 0}, {eof ? -1 : STDIN_FILENO, POLLIN, 0}};
        int n = poll(fds, 2, timeout);
        if (n <= 0) {
            continue;
        }
        if (fds[0].revents & POLLIN) {
            char drain[256];
            while (read(wake_pipe[0], drain, sizeof drain) > 0) {
            }
        }
        if (!eof && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (size - used < 4096) {
                size *= 2;
                buffer = grow(buffer, size);
            }
            ssize_t r = read(STDIN_FILENO, buffer + used, size - used - 1);
            if (r < 0 && errno == EINTR) {
                continue;
            }
            if (r <= 0) {
                /* Sluice is gone: nobody will record what has ended, or what ends from now on */
                eof = 1;
                sluice_gone = 1;
                flush_unacked(LLONG_MAX);
                continue;
            }
            used += (size_t) r;
            char *start = buffer, *newline;
            while ((newline = memchr(start, '\n', used - (size_t) (start - buffer))) != NULL) {
                *newline = '\0';
                handle(start);
                start = newline + 1;
            }
            used -= (size_t) (start - buffer);
            memmove(buffer, start, used);
        }
    }
}
