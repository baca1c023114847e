package org.voxkd.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;
import org.voxkd.engine.Backend;
import org.voxkd.engine.opencl.OpenClBackend;
import org.voxkd.engine.opencl.OpenClDevices;

/**
 * Opens the OpenCL device for tests (VOXKD_TEST_OPENCL_DEVICE selects one; default the first). In CI a
 * missing runtime is a failure, since `make test` installs PoCL; elsewhere the OpenCL tests are skipped
 * with the reason.
 */
public final class OpenClSupport {
    private OpenClSupport() {}

    public static Backend open() {
        try {
            OpenClDevices.list();
        } catch (OpenClDevices.OpenClUnavailableException e) {
            if (System.getenv("CI") != null) fail("OpenCL tests must run in CI: " + e.getMessage());
            Assumptions.abort("OpenCL unavailable: " + e.getMessage());
        }
        return OpenClBackend.open(System.getenv("VOXKD_TEST_OPENCL_DEVICE"));
    }
}
