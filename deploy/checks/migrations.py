"""Migrations that stay safe through a circuit-breaker rollback: expand, then contract in a later release.

During a deploy, and after a rollback, tasks of the previous release run against the schema the new release migrated
to. So a migration may only add (tables, nullable or defaulted columns, indexes); dropping or renaming a table or a
column breaks the release before it. That is done in two releases: the expand (add the new, write both, read the
new) ships first, and the contract (drop the old) ships in a later release, as its own migration that names the
expand: a comment `-- contract of V<n>` where V<n> is an earlier migration committed before this one.
"""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = ROOT / "src/main/resources/db/migration"

DESTRUCTIVE = [
    (re.compile(r"\bdrop\s+table\b", re.I), "drops a table"),
    (re.compile(r"\balter\s+table\b[^;]*?\bdrop\s+(column\b|(?!constraint\b|default\b|not\b|identity\b|expression\b)"
                r"(if\s+exists\s+)?\w+\s*(,|;|$|cascade|restrict))", re.I), "drops a column"),
    (re.compile(r"\balter\s+table\b[^;]*?\brename\b", re.I), "renames a table or a column"),
]
CONTRACT = re.compile(r"--\s*contract\s+of\s+V(\d+(?:[._]\d+)*)\b", re.I)
VERSION = re.compile(r"^V(\d+(?:[._]\d+)*)__")


def version_of(name):
    match = VERSION.match(name)
    return tuple(int(part) for part in re.split(r"[._]", match.group(1))) if match else None


def without_comments_and_strings(sql):
    return re.sub(r"--[^\n]*|/\*.*?\*/|'(?:[^']|'')*'|\$(\w*)\$.*?\$\1\$", " ", sql, flags=re.S)


def committed_at(name):
    """The commit that added the migration, as its position in the first-parent history (0 = oldest), or None."""
    path = MIGRATIONS.relative_to(ROOT) / name
    shallow = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--is-shallow-repository"],
                             capture_output=True, text=True, check=True).stdout.strip()
    if shallow == "true":
        raise ValueError(f"a shallow clone cannot tell which commit added {name} (check out with fetch-depth: 0)")
    added = subprocess.run(["git", "-C", str(ROOT), "log", "--diff-filter=A", "--format=%H", "--", str(path)],
                           capture_output=True, text=True, check=True).stdout.split()
    if not added:
        return None
    history = subprocess.run(["git", "-C", str(ROOT), "rev-list", "--reverse", "HEAD"],
                             capture_output=True, text=True, check=True).stdout.split()
    return history.index(added[-1]) if added[-1] in history else None


def check_migrations(migrations, committed=committed_at):
    """migrations: file name -> SQL. Destructive statements fail unless the file is the contract of an earlier,
    already committed expand."""
    errors = []
    versions = {version_of(name): name for name in migrations if version_of(name)}
    for name, sql in sorted(migrations.items()):
        found = [what for pattern, what in DESTRUCTIVE if pattern.search(without_comments_and_strings(sql))]
        if not found:
            continue
        marker = CONTRACT.search(sql)
        if not marker:
            errors.append(f"migration {name} {' and '.join(found)}: old tasks still read it during a deploy and after"
                          f" a rollback; expand first, and contract in a later release (`-- contract of V<n>`)")
            continue
        expand = versions.get(tuple(int(p) for p in re.split(r"[._]", marker.group(1))))
        if not expand or version_of(expand) >= version_of(name):
            errors.append(f"migration {name} is the contract of V{marker.group(1)}, which is no earlier migration")
            continue
        expand_at, contract_at = committed(expand), committed(name)
        if expand_at is None or contract_at is not None and contract_at <= expand_at:
            errors.append(f"migration {name} contracts {expand} in the same release: the expand must ship first")
    return errors


def repository_migrations():
    return {path.name: path.read_text() for path in sorted(MIGRATIONS.glob("*.sql"))}
