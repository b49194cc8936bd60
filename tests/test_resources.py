"""Every rule is ready for a cluster: software, logs and resources declared.

The workflow is parsed once through Snakemake's API (on the toy data set's sheets) and
each rule is checked:
- a rule that runs a tool has a conda environment file under envs/, and every
  command its shell line calls is provided by a package that file pins;
- a rule that runs a Python script has an environment with Python;
- every rule that does work has a log;
- every rule that SLURM runs (not a local rule) declares its memory and runtime, and
  the costly ones (those with a benchmark) ask for more memory on each retry;
- a rule that asks for several threads passes them to its tools.
"""

from __future__ import annotations

import inspect
import os
import re
import shlex
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from conftest import REPO, TOY_DATA, toy_config

# The conda package that provides each command a shell line may call.
PACKAGE_OF_COMMAND = {
    "bwa": "bwa",
    "samtools": "samtools",
    "bcftools": "bcftools",
    "bgzip": "htslib",
    "tabix": "htslib",
    "fastp": "fastp",
    "mosdepth": "mosdepth",
    "multiqc": "multiqc",
    "minimap2": "minimap2",
    "bedtools": "bedtools",
    "python": "python",
    "python3": "python",
}
# Commands every POSIX system provides; no environment needs to list them.
SYSTEM_COMMANDS = {
    "awk", "cat", "cd", "cp", "cut", "echo", "exit", "false", "grep", "gzip", "head",
    "ln", "mkdir", "mv", "paste", "printf", "rm", "sed", "set", "sort", "tail", "tee",
    "test", "touch", "tr", "true", "uniq", "wc", "zcat",
}  # fmt: skip
SEPARATORS = {"|", "||", "&&", ";", "(", ")", "&"}
# Shell words after which a command follows, and words that end a compound command.
KEYWORDS = {"if", "then", "else", "elif", "do", "while", "until", "!", "time"}
TERMINATORS = {"fi", "done", "esac", "}"}
# A command found on PATH, else at a fixed place: "$(command -v NAME || echo PATH)".
LOOKED_UP = re.compile(r"\$\(command -v ([A-Za-z0-9_.-]+) \|\| echo .*\)")


def commands_of(shellcmd: str) -> list[str]:
    """The commands a shell line calls: the first word after each separator."""
    lexer = shlex.shlex(shellcmd, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    commands, expect_command = [], True
    for token in lexer:
        if token in SEPARATORS:
            expect_command = token != ")"
            continue
        if expect_command:
            if token in KEYWORDS or re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", token):
                continue  # a command follows (VAR=value sets its environment)
            if token in TERMINATORS:
                expect_command = False
                continue
            looked_up = LOOKED_UP.fullmatch(token)
            if looked_up:  # "$(command -v multiqc || echo <beside Python>)": that command
                token = looked_up.group(1)
            commands.append("test" if token in {"[", "[["} else token)
            expect_command = False
    return commands


def test_commands_of_reads_pipes_subshells_and_quotes():
    line = (
        "(bcftools view --include 'N_ALT>1 || TYPE=\"indel\"' {input:q}"
        " | bgzip -c > {output:q} && tabix -p vcf {output:q}) 2> {log:q}"
    )
    assert commands_of(line) == ["bcftools", "bgzip", "tabix"]
    assert commands_of("LC_ALL=C sort {input:q} | gzip -c > {output:q}") == ["sort", "gzip"]
    line = "(if [ -s {input:q} ]; then bcftools query {input:q}; fi > {output:q}) 2> {log:q}"
    assert commands_of(line) == ["test", "bcftools"]
    line = '"$(command -v multiqc || echo {params.beside:q})" --force {input:q} 2> {log:q}'
    assert commands_of(line) == ["multiqc"]


def packages_of(env_file: Path) -> dict[str, str | None]:
    """Package name -> pinned version (None when not pinned) of a conda env file."""
    document = yaml.safe_load(env_file.read_text())
    packages = {}
    for dependency in document.get("dependencies", []):
        if not isinstance(dependency, str):
            continue  # a pip: section
        name = dependency.split("=")[0].split("<")[0].split(">")[0].strip()
        version = dependency[len(name) :].lstrip("=<>! ") or None
        packages[name.split("::")[-1]] = version
    return packages


@pytest.fixture(scope="module")
def workflow(toy_truth, tmp_path_factory):
    """The parsed workflow (Snakemake's Workflow object) on the toy data's sheets."""
    from snakemake.api import SnakemakeApi
    from snakemake.settings.types import ConfigSettings, ResourceSettings

    workdir = tmp_path_factory.mktemp("workflow")
    config = workdir / "config.yaml"
    config.write_text(toy_config(TOY_DATA))
    cwd = os.getcwd()
    try:
        with SnakemakeApi() as api:
            workflow_api = api.workflow(
                resource_settings=ResourceSettings(),
                config_settings=ConfigSettings(configfiles=[config]),
                snakefile=REPO / "Snakefile",
                workdir=workdir,
            )
            yield workflow_api._workflow
    finally:
        os.chdir(cwd)


def working_rules(workflow):
    """Rules that run something (not pure target rules such as `all`)."""
    return [rule for rule in workflow.rules if rule.is_shell or rule.is_script]


def is_local(workflow, rule) -> bool:
    return rule.name in workflow._localrules


def env_file(rule) -> Path | None:
    if not rule.conda_env:
        return None
    return (Path(rule.snakefile).parent / str(rule.conda_env)).resolve()


def declared_resources(rule) -> dict:
    return dict(rule.ruleinfo.resources[1]) if rule.ruleinfo.resources else {}


def test_the_workflow_parses(workflow):
    assert len(working_rules(workflow)) >= 10


def test_every_working_rule_has_a_conda_env_file(workflow):
    missing = []
    for rule in working_rules(workflow):
        path = env_file(rule)
        if path is None or not path.is_file():
            missing.append(f"{rule.name}: {rule.conda_env}")
    assert not missing, f"rules without an existing conda env file: {missing}"


def test_every_command_a_shell_rule_calls_is_pinned_in_its_env(workflow):
    problems = []
    for rule in working_rules(workflow):
        if not rule.is_shell:
            continue
        packages = packages_of(env_file(rule))
        for command in commands_of(rule.shellcmd) + versions_commands(rule):
            if command in SYSTEM_COMMANDS or command == "{params.versions}":
                continue
            package = PACKAGE_OF_COMMAND.get(command)
            if package is None:
                problems.append(f"{rule.name}: {command!r} is not a known command")
            elif package not in packages:
                problems.append(f"{rule.name}: {command} needs {package} in {rule.conda_env}")
            elif packages[package] is None:
                problems.append(f"{rule.name}: {package} is not pinned in {rule.conda_env}")
    assert not problems, "\n".join(problems)


def versions_commands(rule) -> list[str]:
    """The commands the rule's `versions` param runs (ipscqc.versions), to record the
    versions of the tools the job ran: they must come from the job's own env too."""
    from ipscqc.versions import TOOL_VERSION_COMMANDS

    if "{params.versions}" not in rule.shellcmd:
        return []
    tools = rule.params.versions.args[0]  # versions_command(*tools) is a partial
    return [TOOL_VERSION_COMMANDS[tool].split()[0] for tool in tools]


def test_tool_rules_record_the_versions_of_the_tools_they_run(workflow):
    problems = []
    for rule in working_rules(workflow):
        if not rule.is_shell or rule.name in ("multiqc", "alignment_reference"):
            continue
        recorded = set(versions_commands(rule))
        ran = {c for c in commands_of(rule.shellcmd) if c in PACKAGE_OF_COMMAND}
        if ran and not ran <= recorded | {"gzip"}:
            problems.append(f"{rule.name}: runs {sorted(ran)}, records {sorted(recorded)}")
    assert not problems, "\n".join(problems)


def test_every_script_rule_has_python_in_its_env(workflow):
    problems = [
        f"{rule.name}: no python in {rule.conda_env}"
        for rule in working_rules(workflow)
        if rule.is_script and "python" not in packages_of(env_file(rule))
    ]
    assert not problems


def test_every_env_file_pins_its_tools():
    for path in sorted((REPO / "envs").glob("*.yaml")):
        packages = packages_of(path)
        assert packages, f"{path.name} lists no packages"
        for name in set(PACKAGE_OF_COMMAND.values()) & set(packages):
            assert packages[name], f"{path.name}: {name} is not pinned"


def test_every_working_rule_has_a_log(workflow):
    missing = [rule.name for rule in working_rules(workflow) if not rule.log]
    assert not missing, f"rules without log: {missing}"


def test_every_cluster_rule_declares_memory_and_runtime(workflow):
    missing = [
        rule.name
        for rule in working_rules(workflow)
        if not is_local(workflow, rule)
        and not {"mem_mb", "runtime"} <= set(declared_resources(rule))
    ]
    assert not missing, f"cluster rules without mem_mb and runtime: {missing}"


def evaluate(function, attempt: int, size_mb: float = 1024.0):
    """A resource function's value for one attempt and input size."""
    arguments = {
        "wildcards": SimpleNamespace(shard="0"),  # per-shard rules scale by the shard
        "input": SimpleNamespace(size_mb=size_mb),
        "attempt": attempt,
        "threads": 1,
    }
    names = inspect.signature(function).parameters
    return function(**{name: arguments[name] for name in names if name in arguments})


def test_costly_rules_grow_memory_on_retry_and_runtime_with_input(workflow):
    problems = []
    for rule in working_rules(workflow):
        if not rule.benchmark or is_local(workflow, rule):
            continue
        resources = declared_resources(rule)
        memory = resources.get("mem_mb")
        if not callable(memory) or evaluate(memory, 2) <= evaluate(memory, 1):
            problems.append(f"{rule.name}: mem_mb does not grow with the attempt")
        runtime = resources.get("runtime")
        scales = callable(runtime) and "input" in inspect.signature(runtime).parameters
        if scales and evaluate(runtime, 1, size_mb=100_000) <= evaluate(runtime, 1, size_mb=10):
            problems.append(f"{rule.name}: runtime does not grow with the input size")
    assert not problems, "\n".join(problems)


def test_rules_with_threads_pass_them_to_their_tools(workflow):
    problems = []
    for rule in working_rules(workflow):
        threads = rule.ruleinfo.threads
        if isinstance(threads, int) and threads > 1:
            if rule.is_shell and "{threads}" not in rule.shellcmd:
                problems.append(f"{rule.name}: asks for {threads} threads but never uses them")
            if is_local(workflow, rule):
                problems.append(f"{rule.name}: a local rule should not need {threads} threads")
    assert not problems, "\n".join(problems)


def test_local_rules_are_cheap(workflow):
    """Local rules run on the submit host: no benchmark-worthy (costly) work there."""
    costly = [
        rule.name for rule in working_rules(workflow) if is_local(workflow, rule) and rule.benchmark
    ]
    assert not costly, f"local rules that declare a benchmark (costly): {costly}"


def test_slurm_profile_is_complete_and_leaves_the_site_settings_to_the_user():
    profile = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())
    assert profile["executor"] == "slurm"
    assert profile["jobs"] >= 1
    assert profile["latency-wait"] >= 30
    assert profile["retries"] >= 1
    defaults = profile["default-resources"]
    assert {"mem_mb", "runtime"} <= set(defaults)
    assert "slurm_account" not in defaults and "slurm_partition" not in defaults
