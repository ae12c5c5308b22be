"""Values other parts derive from a root version (the vault's blind indexes) are moved by the
rotation, resumably, and a version is retired only once none of them uses it any more."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from egide.crypto import rotation, runtime
from egide.crypto.hierarchy import Keyring, load_keyring
from egide.crypto.selectors import key_status
from egide.crypto.services import root_key_rotate

pytestmark = pytest.mark.django_db


class FakeIndexes:
    """Blind indexes stored as "<version>:<value>", like the vault's."""

    def __init__(self, count: int) -> None:
        self.items = [f"1:{number}" for number in range(count)]
        self.fail_after: int | None = None

    def versions_in_use(self) -> set[int]:
        return {int(item.split(":")[0]) for item in self.items}

    def migrate_batch(self, keyring: Keyring, batch_size: int) -> int:
        current = keyring.current_version
        older = [i for i, item in enumerate(self.items) if int(item.split(":")[0]) < current][:batch_size]
        if self.fail_after is not None and older:
            if self.fail_after == 0:
                raise RuntimeError("crash simulé")
            self.fail_after -= 1
        for position in older:
            self.items[position] = f"{current}:{self.items[position].split(':')[1]}"
        return len(older)


@pytest.fixture
def indexes() -> Iterator[FakeIndexes]:
    fake = FakeIndexes(5)
    registered = dict(rotation._dependents)  # the real parts' dependents (the vault's indexes)
    rotation._dependents.clear()
    rotation.root_version_dependent_register(
        rotation.RootVersionDependent("index factice", fake.versions_in_use, fake.migrate_batch)
    )
    yield fake
    rotation._dependents.clear()
    rotation._dependents.update(registered)


def test_it_moves_dependents_before_retiring_the_old_version(keys: Path, indexes: FakeIndexes) -> None:
    moved: list[int] = []
    result = root_key_rotate(batch_size=2, progress_other=lambda label, done: moved.append(done))

    assert moved == [2, 4, 5]
    assert indexes.versions_in_use() == {2}
    assert result.retired_versions == (1,)


def test_it_keeps_the_old_version_live_until_an_interrupted_move_is_resumed(
    keys: Path, indexes: FakeIndexes
) -> None:
    indexes.fail_after = 1
    with pytest.raises(RuntimeError):
        root_key_rotate(batch_size=2)
    assert runtime.current_keyring().live_versions == (1, 2)  # searches still look under version 1
    assert key_status().rotation_pending

    indexes.fail_after = None
    result = root_key_rotate(batch_size=2)

    assert result.resumed and result.new_version == 2 and result.retired_versions == (1,)
    assert load_keyring(runtime.keyring_path(), runtime.current_master_key()).retired_versions == {1}
    assert not key_status().rotation_pending
