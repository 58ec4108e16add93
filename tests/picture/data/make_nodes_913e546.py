"""Make tests/picture/data/nodes_913e546.npz: run_nodes and FullSensing outputs of the code at
commit 913e546 (before the compiled trackers) on the small scenario of test_nodes_compiled.py.

    git archive 913e546 src | tar -x -C /tmp/orig
    cd /tmp && PYTHONPATH=/tmp/orig/src python <repo>/tests/picture/data/make_nodes_913e546.py \\
        0.03 0.5 "2 h" 11 <repo>/tests/picture/data/nodes_913e546.npz
"""
import sys, time
import numpy as np
sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[3]))
from tests.engine.test_sense_full import _small_reference
import skyshield
print(skyshield.__file__, file=sys.stderr)
from skyshield.engine.raid import sample_raid
from skyshield.engine.sense_full import theatre_plane, FullSensing
from skyshield.engine.trajectory import build_segments
from skyshield.picture.metrics import eval_times
from skyshield.picture.nodes import NodeConfig, run_nodes
from skyshield.rng import Streams
scale, hours, dur, seed = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
p = _small_reference("integrated-ops", scale=scale, hours=hours, duration=dur)
st = Streams(seed, 0); raid = sample_raid(p, st); seg = build_segments(raid, p)
grid = eval_times(seg, p.duration_s, 60.0)
snap = np.unique(np.concatenate([grid, grid - p.sharing_latency_s]))
t0 = time.time()
r = run_nodes(p, raid, seg, Streams(seed, 0), theatre_plane(p), snap, NodeConfig())
print("run_nodes", time.time() - t0, "threats", raid.size, file=sys.stderr)
keys = sorted(r.snapshots)
si = np.concatenate([np.full(r.snapshots[k].node.size, i) for i, k in enumerate(keys)])
cat = lambda f: np.concatenate([getattr(r.snapshots[k], f) for k in keys])
pic = FullSensing()(p, raid, seg, Streams(seed, 0))
m = pic.metrics
np.savez_compressed(sys.argv[5], first_key=r.first_key, first_t=r.first_t, false_confirmed=r.false_confirmed,
    active_node_scans=r.active_node_scans, snap_times=np.array(keys), snap_index=si.astype(np.int32),
    node=cat("node").astype(np.int32), track_id=cat("track_id").astype(np.int32), x=cat("x"), t_s=cat("t_s"),
    P_trace=np.trace(cat("P"), axis1=1, axis2=2), network_t=pic.network_t, own_t=pic.own_t,
    metric_names=np.array(sorted(m)), metric_values=np.array([m[k] for k in sorted(m)]))
print("records", si.size, "first", r.first_key.size, file=sys.stderr)
