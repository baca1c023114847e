package org.voxkd;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.PrintWriter;
import java.util.List;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the OpenCL tests without Maven, for `make gpu-check` on a lent GPU machine (whose network may reach no
 * repository): {@code java -cp target/test-classes:target/classes:target/lib/*:target/test-lib/* org.voxkd.GpuCheckRunner}.
 * Arguments, if any, name the test classes instead of {@link #CLASSES} (the bundle's dry run in GpuBundleTest runs one).
 * The device is VOXKD_TEST_OPENCL_DEVICE (see OpenClSupport). Prints one JSON line; exits 0 only when every test
 * ran and passed (an aborted test — no OpenCL runtime — counts as a failure here).
 */
public final class GpuCheckRunner {
    private GpuCheckRunner() {}

    static final List<String> CLASSES = List.of("org.voxkd.kernels.BackendParityTest",
            "org.voxkd.kernels.DeterminismTest", "org.voxkd.engine.opencl.OpenClBackendTest", "org.voxkd.kernels.FusedEpilogueTest");

    public static void main(String[] args) throws Exception {
        List<String> classes = args.length > 0 ? List.of(args) : CLASSES;
        LauncherDiscoveryRequestBuilder b = LauncherDiscoveryRequestBuilder.request();
        for (String c : classes) b.selectors(selectClass(Class.forName(c)));
        LauncherDiscoveryRequest request = b.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        long t0 = System.nanoTime();
        launcher.execute(request, listener);
        TestExecutionSummary s = listener.getSummary();
        StringBuilder failures = new StringBuilder();
        for (TestExecutionSummary.Failure f : s.getFailures().stream().limit(5).toList()) {
            if (!failures.isEmpty()) failures.append(", ");
            failures.append('"').append(json(f.getTestIdentifier().getDisplayName() + ": " + f.getException())).append('"');
        }
        System.out.printf(java.util.Locale.ROOT, "{\"classes\": %d, \"tests\": %d, \"succeeded\": %d, \"failed\": %d, \"aborted\": %d, \"seconds\": %.1f, "
                        + "\"failures\": [%s]}%n", classes.size(), s.getTestsFoundCount(), s.getTestsSucceededCount(), s.getTotalFailureCount(),
                s.getTestsAbortedCount(), (System.nanoTime() - t0) / 1e9, failures);
        if (s.getTotalFailureCount() > 0) s.printFailuresTo(new PrintWriter(System.err), 20);
        System.exit(s.getTotalFailureCount() == 0 && s.getTestsAbortedCount() == 0 && s.getTestsSucceededCount() > 0 ? 0 : 1);
    }

    private static String json(String s) {
        String one = s.length() > 400 ? s.substring(0, 400) + "…" : s;
        return one.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ").replace("\t", " ");
    }
}
