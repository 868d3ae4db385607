import { createNodeHal } from "../../hal/node/index";
import { halConformance } from "../hal/conformance";

// The HAL conformance suite on real loopback sockets.
halConformance({ name: "hal/node (127.0.0.1)", create: () => createNodeHal() });
