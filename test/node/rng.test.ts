/** The seed plumbing of randomized tests (test/rng.ts): KYOTO_SEED replays one seed. */
import { forEachSeed, seedsFor } from "../rng";
import { assert } from "../assert";

describe("test/rng", function () {
  let saved: string | undefined;
  beforeEach(function () {
    saved = process.env.KYOTO_SEED;
  });
  afterEach(function () {
    if (saved === undefined) delete process.env.KYOTO_SEED;
    else process.env.KYOTO_SEED = saved;
  });

  it("runs the default seeds, or only KYOTO_SEED when it is set", function () {
    delete process.env.KYOTO_SEED;
    assert.deepEqual(seedsFor(3), [1, 2, 3]);
    assert.deepEqual(seedsFor([11]), [11]);
    process.env.KYOTO_SEED = "42";
    assert.deepEqual(seedsFor(3), [42]);
    assert.deepEqual(seedsFor([11]), [42]);
    const ran: number[] = [];
    forEachSeed(200, (rng) => ran.push(rng.seed));
    assert.deepEqual(ran, [42]);
  });

  it("names the seed of a failing run and rejects a KYOTO_SEED that is not an integer", function () {
    delete process.env.KYOTO_SEED;
    assert.throws(() => forEachSeed(3, (rng) => assert.ok(rng.seed !== 2, "boom")), { message: /^\[seed 2\] boom/ });
    process.env.KYOTO_SEED = "x";
    assert.throws(() => seedsFor(3), { message: /KYOTO_SEED must be an integer/ });
  });
});
