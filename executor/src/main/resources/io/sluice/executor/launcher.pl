# Sluice's process launcher: one per Sluice process. It reads requests on stdin, starts each
# command in a session and process group of its own, and reports when each ends. It also writes
# each exit status next to the command's log, and, if Sluice dies, keeps doing so until its last
# command ends: a restarted Sluice reads those files. Requests and replies are lines of
# space-separated fields; fields that may hold any byte are hex.
#   start ID CWD LOG EXITFILE CMD ENV...   ->  started ID PID STARTTIME  |  failed ID MESSAGE
#   signal ID SIGNAL                       ->  (signals the command's group while it runs)
#   (when a command ends)                  ->  exited ID STATUS
use strict;
use warnings;
use POSIX ();

# Become the reaper of orphans: what a command leaves running after its parent ended (a double
# fork, setsid) is re-parented here rather than to init, so Sluice can find it even without its marker.
{
    no warnings 'once';
    require Config;
    my %prctl = (x86_64 => 157, aarch64 => 167, i386 => 172, i686 => 172, arm => 172, riscv64 => 167);
    my ($arch) = $Config::Config{archname} =~ /^([^-]+)/;
    syscall($prctl{$arch}, 36, 1, 0, 0, 0) if defined $arch && $prctl{$arch};   # PR_SET_CHILD_SUBREAPER
}

$SIG{INT} = 'IGNORE';     # Ctrl-C reaches Sluice, which decides; commands are in their own sessions
$SIG{HUP} = 'IGNORE';
$SIG{PIPE} = 'IGNORE';    # Sluice may be gone; exit files still get written
$| = 1;

pipe(my $wake_r, my $wake_w) or die "pipe: $!";
$wake_w->autoflush(1);
$SIG{CHLD} = sub { syswrite($wake_w, "x") };

my %jobs;      # pid => [id, exit file]
my %pid_of;    # id => pid, while the command runs
my $buf = '';
my $eof = 0;

sub unhex { return pack('H*', $_[0]) }

sub reply { print STDOUT join(' ', @_), "\n" }

sub start_command {
    my ($id, $cwd, $log, $exit, $cmd, @env) = @_;
    ($cwd, $log, $exit, $cmd) = map { unhex($_) } ($cwd, $log, $exit, $cmd);
    my $pid = fork();
    if (!defined $pid) {
        reply('failed', $id, unpack('H*', "fork: $!"));
        return;
    }
    if ($pid == 0) {
        POSIX::setsid();
        $SIG{$_} = 'DEFAULT' for qw(INT HUP PIPE CHLD TERM);
        open(STDOUT, '>>', $log) or POSIX::_exit(126);
        open(STDERR, '>&', \*STDOUT) or POSIX::_exit(126);
        open(STDIN, '<', '/dev/null') or POSIX::_exit(126);
        if (!chdir($cwd)) {
            print STDERR "sluice: cannot enter $cwd: $!\n";
            POSIX::_exit(126);
        }
        %ENV = ();
        for my $pair (@env) {
            my ($k, $v) = split(/=/, unhex($pair), 2);
            $ENV{$k} = $v;
        }
        { no warnings 'exec'; exec { '/bin/sh' } 'sh', '-c', $cmd; }
        print STDERR "sluice: cannot run /bin/sh: $!\n";
        POSIX::_exit(127);
    }
    my $start = '';
    if (open(my $stat, '<', "/proc/$pid/stat")) {
        my $line = <$stat>;
        close($stat);
        if (defined $line && $line =~ /\)\s(.*)$/) {
            my @fields = split(/ /, $1);
            $start = $fields[19] // '';
        }
    }
    $jobs{$pid} = [$id, $exit];
    $pid_of{$id} = $pid;
    reply('started', $id, $pid, $start eq '' ? '-' : $start);
}

sub signal_command {
    my ($id, $signal) = @_;
    my $pid = $pid_of{$id};
    # only while the leader is not reaped: then its pid still names this group
    kill($signal, -$pid) if defined $pid && $signal =~ /^(TERM|KILL|INT)$/;
}

sub reap {
    while ((my $pid = waitpid(-1, POSIX::WNOHANG())) > 0) {
        my $status = $?;
        my $code = ($status & 127) ? 128 + ($status & 127) : ($status >> 8);
        my $job = delete $jobs{$pid} or next;
        delete $pid_of{$job->[0]};
        if (open(my $out, '>', $job->[1])) {
            print $out "$code\n";
            close($out);
        }
        reply('exited', $job->[0], $code);
    }
}

sub handle {
    my @f = split(/ /, $_[0]);
    my $verb = shift @f // '';
    if ($verb eq 'start') {
        start_command(@f);
    } elsif ($verb eq 'signal') {
        signal_command(@f);
    }
}

while (1) {
    reap();
    last if $eof && !%jobs;
    my $rin = '';
    vec($rin, fileno(STDIN), 1) = 1 unless $eof;
    vec($rin, fileno($wake_r), 1) = 1;
    my $n = select(my $rout = $rin, undef, undef, 5);
    next if $n <= 0;
    if (vec($rout, fileno($wake_r), 1)) {
        sysread($wake_r, my $ignored, 4096);
    }
    if (!$eof && vec($rout, fileno(STDIN), 1)) {
        my $r = sysread(STDIN, $buf, 1 << 16, length $buf);
        $eof = 1 if !$r;
        while ((my $i = index($buf, "\n")) >= 0) {
            my $line = substr($buf, 0, $i);
            substr($buf, 0, $i + 1, '');
            handle($line);
        }
    }
}
