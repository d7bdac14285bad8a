package io.sluice.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes API server for tests (fabric8's mock server in CRUD mode) with a fake kubelet: for
 * each Job it makes a pod, lays out the pod's volumes in a directory (ConfigMap items, emptyDirs),
 * and runs the container's command as a real local process, with the mount paths pointed at that
 * directory. Deleting the Job stops the process (SIGTERM, then SIGKILL) and deletes the pod. Pod
 * logs are served from what the process wrote. The mock server cannot hold a log stream open, so
 * the container is reported waiting while its process runs and terminated once it has ended.
 */
public final class FakeCluster implements AutoCloseable {
    /** The mock server logs every request through java.util.logging; kept here so the level holds. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");
    private static final Pattern LOG_PATH = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log.*");

    private final KubernetesMockServer server;
    private final KubernetesClient client;
    private final Path root;
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final Map<String, String> podOfJob = new ConcurrentHashMap<>();
    private final List<String> deletedNamespaces = new java.util.concurrent.CopyOnWriteArrayList<>();
    private SharedIndexInformer<Job> kubelet;

    private FakeCluster(Path root) {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        this.root = root;
        Map<io.fabric8.mockwebserver.ServerRequest, java.util.Queue<io.fabric8.mockwebserver.ServerResponse>> responses = new HashMap<>();
        KubernetesMixedDispatcher crud = new KubernetesMixedDispatcher(responses);
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Matcher log = LOG_PATH.matcher(request.getPath());
                if (log.matches()) {
                    return podLog(log.group(1), log.group(2));
                }
                Matcher ns = Pattern.compile("/api/v1/namespaces/([^/?]+)").matcher(request.getPath());
                if ("DELETE".equals(request.getMethod()) && ns.matches()) {
                    deletedNamespaces.add(ns.group(1));
                }
                return crud.dispatch(request);
            }
        };
        this.server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
        server.init();
        this.client = server.createClient();
    }

    /** Starts the API server and the kubelet; pods' files go under {@code root}. */
    public static FakeCluster start(Path root) {
        FakeCluster cluster = new FakeCluster(root);
        cluster.kubelet = cluster.client.batch().v1().jobs().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                cluster.runJob(job);
            }

            @Override
            public void onUpdate(Job before, Job after) {
            }

            @Override
            public void onDelete(Job job, boolean unknown) {
                cluster.stopJob(job);
            }
        }, 0);
        return cluster;
    }

    public KubernetesClient client() {
        return client;
    }

    /** A kubeconfig naming this server, for a Sluice process started with KUBECONFIG pointing at it. */
    public Path writeKubeconfig(Path file) throws IOException {
        String url = "http://" + server.getHostName() + ":" + server.getPort();
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: fake
                  cluster:
                    server: %s
                contexts:
                - name: fake
                  context:
                    cluster: fake
                    user: fake
                    namespace: default
                current-context: fake
                users:
                - name: fake
                  user:
                    token: fake-token
                """.formatted(url));
        return file;
    }

    /** A ready node with this much allocatable. */
    public void addNode(String name, String cpu, String memory) {
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus().withAllocatable(Map.of("cpu", new Quantity(cpu), "memory", new Quantity(memory)))
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
    }

    /** Namespaces whose deletion was asked, in order. */
    public List<String> deletedNamespaces() {
        return List.copyOf(deletedNamespaces);
    }

    private void runJob(Job job) {
        String ns = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        String podName = name + "-" + Long.toHexString(System.nanoTime() & 0xfffff);
        podOfJob.put(ns + "/" + name, podName);
        Map<String, String> labels = new HashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
        labels.put("job-name", name);
        labels.put("batch.kubernetes.io/job-name", name);
        String node = client.nodes().list().getItems().stream().findFirst().map(n -> n.getMetadata().getName()).orElse(null);
        Pod pod = new PodBuilder().withNewMetadata().withName(podName).withNamespace(ns).withLabels(labels).endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec()).build();
        pod.getSpec().setNodeName(node);
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Pending")
                .withContainerStatuses(new ContainerStatusBuilder().withName("task").withNewState().withNewWaiting()
                        .withReason("ContainerCreating").endWaiting().endState().build()).build());
        String image = job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        if (image.startsWith("missing/")) {
            // an image no registry has: the kubelet backs off pulling it, for ever
            pod.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("task").withNewState().withNewWaiting()
                    .withReason("ImagePullBackOff").withMessage("Back-off pulling image \"" + image + "\"").endWaiting().endState().build()));
            client.pods().inNamespace(ns).resource(pod).create();
            return;
        }
        if (image.startsWith("unschedulable/")) {
            // no node fits: the pod stays pending, unscheduled
            pod.getSpec().setNodeName(null);
            pod.getStatus().setContainerStatuses(null);
            pod.getStatus().setConditions(List.of(new io.fabric8.kubernetes.api.model.PodConditionBuilder().withType("PodScheduled")
                    .withStatus("False").withReason("Unschedulable").withMessage("0/1 nodes are available").build()));
            client.pods().inNamespace(ns).resource(pod).create();
            return;
        }
        client.pods().inNamespace(ns).resource(pod).create();
        Thread.ofVirtual().name("fake-kubelet-" + podName).start(() -> execute(ns, job, podName));
    }

    private void execute(String ns, Job job, String podName) {
        Container container = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        int code;
        try {
            Path podDir = Files.createDirectories(root.resolve(ns).resolve(podName));
            Map<String, Path> mounts = new HashMap<>();
            for (VolumeMount m : container.getVolumeMounts()) {
                Path dir = Files.createDirectories(podDir.resolve(m.getName()));
                Volume v = job.getSpec().getTemplate().getSpec().getVolumes().stream().filter(x -> x.getName().equals(m.getName())).findFirst().orElseThrow();
                if (v.getConfigMap() != null) {
                    ConfigMap cm = client.configMaps().inNamespace(ns).withName(v.getConfigMap().getName()).get();
                    for (KeyToPath item : v.getConfigMap().getItems()) {
                        Path file = dir.resolve(item.getPath());
                        Files.createDirectories(file.getParent());
                        Files.write(file, Base64.getDecoder().decode(cm.getBinaryData().get(item.getKey())));
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(item.getMode() == 0755 ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
                mounts.put(m.getMountPath(), dir);
            }
            List<String> command = new ArrayList<>();
            for (String part : container.getCommand()) {
                command.add(remap(part, mounts));
            }
            ProcessBuilder pb = new ProcessBuilder(command).directory(mounts.get(container.getWorkingDir()).toFile())
                    .redirectErrorStream(true).redirectOutput(logFile(ns, podName).toFile());
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
            for (EnvVar e : container.getEnv()) {
                String value = e.getValue();
                if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                    Secret secret = client.secrets().inNamespace(ns).withName(e.getValueFrom().getSecretKeyRef().getName()).get();
                    value = new String(Base64.getDecoder().decode(secret.getData().get(e.getValueFrom().getSecretKeyRef().getKey())), StandardCharsets.UTF_8);
                }
                pb.environment().put(e.getName(), remap(value, mounts));
            }
            Process process = pb.start();
            processes.put(ns + "/" + podName, process);
            code = process.waitFor();
        } catch (IOException | RuntimeException e) {
            appendLog(ns, podName, "fake kubelet: " + e);
            code = 128;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            terminated(ns, job.getMetadata().getName(), podName, code);
        } catch (RuntimeException e) {
            // the pod was deleted meanwhile, or the cluster is shutting down (its client closed)
        }
    }

    private static String remap(String text, Map<String, Path> mounts) {
        String result = text;
        for (Map.Entry<String, Path> m : mounts.entrySet()) {
            result = result.replace(m.getKey(), m.getValue().toString());
        }
        return result;
    }

    private void terminated(String ns, String job, String podName, int code) {
        Pod pod = client.pods().inNamespace(ns).withName(podName).get();
        if (pod == null) {
            return;
        }
        pod.getStatus().setPhase(code == 0 ? "Succeeded" : "Failed");
        pod.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder().withName("task").withNewState().withNewTerminated()
                .withExitCode(code).withReason(code == 0 ? "Completed" : "Error").endTerminated().endState().build()));
        client.pods().inNamespace(ns).resource(pod).updateStatus();
        Job current = client.batch().v1().jobs().inNamespace(ns).withName(job).get();
        if (current != null) {
            current.setStatus(new JobStatusBuilder().withSucceeded(code == 0 ? 1 : 0).withFailed(code == 0 ? 0 : 1)
                    .withConditions(new JobConditionBuilder().withType(code == 0 ? "Complete" : "Failed").withStatus("True")
                            .withReason(code == 0 ? null : "BackoffLimitExceeded").build()).build());
            client.batch().v1().jobs().inNamespace(ns).resource(current).updateStatus();
        }
    }

    private void stopJob(Job job) {
        String ns = job.getMetadata().getNamespace();
        String podName = podOfJob.get(ns + "/" + job.getMetadata().getName());
        if (podName == null) {
            return;
        }
        Process process = processes.get(ns + "/" + podName);
        if (process != null && process.isAlive()) {
            process.destroy(); // SIGTERM, as the kubelet sends when a pod is deleted
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Thread.ofVirtual().start(() -> {
            try {
                if (process != null) {
                    process.waitFor();
                }
                // the garbage collector's part: the Job's pod goes with it
                client.pods().inNamespace(ns).withName(podName).delete();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** Whether the local process of any pod still runs. */
    public boolean anyPodRunning() {
        return processes.values().stream().anyMatch(Process::isAlive);
    }

    private Path logFile(String ns, String pod) throws IOException {
        return Files.createDirectories(root.resolve(ns)).resolve(pod + ".log");
    }

    private void appendLog(String ns, String pod, String line) {
        try {
            Files.writeString(logFile(ns, pod), line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // the test sees the missing log
        }
    }

    private MockResponse podLog(String ns, String pod) {
        try {
            Path file = root.resolve(ns).resolve(pod + ".log");
            return new MockResponse().setResponseCode(200).setBody(Files.exists(file) ? Files.readString(file) : "");
        } catch (IOException e) {
            return new MockResponse().setResponseCode(500).setBody(e.toString());
        }
    }

    @Override
    public void close() {
        processes.values().forEach(Process::destroyForcibly);
        if (kubelet != null) {
            kubelet.close();
        }
        client.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // the mock server gives up waiting for connections to drain; the test is over either way
        }
    }
}
