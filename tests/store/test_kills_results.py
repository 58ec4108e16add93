"""Store details that mutation testing found unchecked: the Arrow types of the key columns
(an empty store's tables too), and the manifest grown when an experiment asks for more
replications. No sweep is run: the store is created, read and reopened.

Each test names the mistake it catches; each was checked by applying that mistake by hand.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pyarrow as pa
import pytest

from skyshield.store import MANIFEST, ResultStore, StoreError
from tests.store.helpers import resolved, write_experiment


@pytest.fixture(scope="module")
def experiments(tmp_path_factory):
    d = tmp_path_factory.mktemp("kills")
    three = resolved(write_experiment(d, reps=3, name="exp3.yaml"))
    # The same experiment asking for five replications (resolving it again would take seconds).
    five = replace(three, spec=three.spec.model_copy(update={"replications": 5}))
    assert five.identity_hash == three.identity_hash
    return d, three, five


def test_an_empty_store_reads_as_typed_empty_tables(experiments, tmp_path) -> None:
    # Mistakes caught: the key columns typed by inference (null or int64 instead of int32), or
    # the empty table missing a key column.
    d, three, _ = experiments
    st = ResultStore.open_for(tmp_path / "out", three, (d / "exp3.yaml").read_text())
    st.close()
    m = ResultStore.open(tmp_path / "out").metrics()
    assert m.num_rows == 0
    assert m.schema == pa.schema([("option", pa.string()), ("sample", pa.int32()), ("replication", pa.int32())])
    s = ResultStore.open(tmp_path / "out").samples_table()
    assert s.schema.field("sample").type == pa.int32()
    assert s["sample"].to_pylist() == [0, 1]
    assert s.column_names[:3] == ["sample", "scenario_hash", "catalog_hash"]
    assert [s.schema.field(n).type for n in s.column_names[3:]] == [pa.float64(), pa.float64()]


def test_asking_for_more_replications_grows_the_manifest_on_disk_and_keeps_the_rest(experiments, tmp_path) -> None:
    # Mistakes caught: the grown manifest not written (or written empty), the count kept at the
    # old value, or the store's own view not updated.
    d, three, five = experiments
    out = tmp_path / "out"
    ResultStore.open_for(out, three, (d / "exp3.yaml").read_text()).close()
    before = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert before["replications"] == 3
    st = ResultStore.open_for(out, five)
    assert st.replications == 5 and st.total == 5 * 2 * 2
    st.close()
    after = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert after["replications"] == 5 and after["experiment"]["replications"] == 5
    same = {k: v for k, v in before.items() if k not in ("replications", "experiment")}
    assert {k: after[k] for k in same} == same
    assert ResultStore.open(out).replications == 5
    # Fewer than stored is refused; as many again leaves the manifest as it is.
    with pytest.raises(StoreError, match="already asks for 5 replications"):
        ResultStore.open_for(out, three)
    ResultStore.open_for(out, five).close()
    assert json.loads((out / MANIFEST).read_text(encoding="utf-8")) == after
