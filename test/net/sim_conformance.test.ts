import { createSimHal } from "../../hal/sim/index";
import { halConformance } from "../hal/conformance";

// The HAL conformance suite on the simulated network: a clean link, then a lossy, reordering,
// duplicating one (TCP must hide all of it; UDP is only sent where the test expects arrival).
halConformance({ name: "hal/sim", create: () => createSimHal({ seed: 3 }) });
halConformance({
  name: "hal/sim, lossy link",
  create: () => createSimHal({ seed: 4, net: { latency: 2, jitter: 4, loss: 0.1, reorder: 0.2, duplicate: 0.1 } }),
  lossyUdp: true,
});
