"""migra's schemainspect imports pkg_resources, gone from new setuptools; the diff module's shim must work."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_diff_module_imports_without_pkg_resources() -> None:
    code = textwrap.dedent("""
        import sys
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name == "pkg_resources":
                    raise ImportError("blocked for the test")
        sys.meta_path.insert(0, Block())
        sys.modules.pop("pkg_resources", None)
        import finesse_schema.db.diff as d
        from schemainspect.pg.obj import ALL_RELATIONS_QUERY
        assert "pg_class" in ALL_RELATIONS_QUERY
        assert type(sys.modules["pkg_resources"]).__name__ == "module"
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
