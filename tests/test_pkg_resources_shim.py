"""migra's schemainspect imports pkg_resources (gone from new setuptools, slow where present).

The diff module imports migra with a stand-in that exists only during that import.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_migra_imports_without_pkg_resources_and_leaves_no_stand_in() -> None:
    assert _run("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "pkg_resources":
                    raise ImportError("blocked for the test")
        sys.meta_path.insert(0, Block())
        import finesse_schema.db.migra
        from schemainspect.pg.obj import ALL_RELATIONS_QUERY
        assert "pg_class" in ALL_RELATIONS_QUERY
        assert "pkg_resources" not in sys.modules
        print("ok")
    """) == "ok"


def test_a_real_pkg_resources_already_imported_is_left_alone() -> None:
    assert _run("""
        import sys, types
        real = types.ModuleType("pkg_resources")
        real.resource_stream = lambda *a: (_ for _ in ()).throw(AssertionError("used the caller's module"))
        sys.modules["pkg_resources"] = real
        try:
            import finesse_schema.db.migra
        except AssertionError:
            print("used it")  # schemainspect used the already-imported module, as it should
        else:
            print("unexpected")
        assert sys.modules["pkg_resources"] is real
    """) == "used it"
