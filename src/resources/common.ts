/** Schema pieces shared by several kinds. */
import { t } from '../core/schema.js';

/** `MetricsBackend` (api/mesh/v1alpha1/metrics.proto): `conf` is a free Struct checked per backend type. */
export const metricsBackendSchema = t.message({
  name: t.string,
  type: t.string,
  conf: t.struct,
});

export const envoyAdminSchema = t.message({ port: t.uint32 });
