"""JupyterHub for one course on one machine: Linux accounts, the nbgrader exchange, the course kernel.

Start it as root from the repository root (classroom/README.md):

    PATH=$PWD/.venv/bin:$PATH jupyterhub -f classroom/jupyterhub_config.py

Users log in with their Linux account and password (PAM). Members of the instructors' group get
JupyterLab in their own copy of the course (``~/dlcourse``, with solutions and gradebook) and the
formgrader; members of the students' group get JupyterLab in their home, with the Assignments tab
and without the instructor's tools. Settings come from the environment (defaults in brackets):

    DLCOURSE_HUB_URL          where the hub listens               [http://:8000]
    DLCOURSE_HUB_STATE        the hub's database and secrets      [/srv/dlcourse/hub]
    DLCOURSE_EXCHANGE         nbgrader's exchange (mode 1777)     [/srv/dlcourse/exchange]
    DLCOURSE_INSTRUCTORS      Linux group of instructors          [dlcourse-instructors]
    DLCOURSE_STUDENTS         Linux group of students             [dlcourse-students]
"""

import grp
import os
import pwd
from pathlib import Path

c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

classroom = Path(__file__).resolve().parent
venv_bin = classroom.parent / ".venv" / "bin"
setting = {
    "DLCOURSE_HUB_URL": "http://:8000",
    "DLCOURSE_HUB_STATE": "/srv/dlcourse/hub",
    "DLCOURSE_EXCHANGE": "/srv/dlcourse/exchange",
    "DLCOURSE_INSTRUCTORS": "dlcourse-instructors",
    "DLCOURSE_STUDENTS": "dlcourse-students",
}
setting.update({key: os.environ[key] for key in setting if os.environ.get(key)})
state = Path(setting["DLCOURSE_HUB_STATE"])

c.JupyterHub.bind_url = setting["DLCOURSE_HUB_URL"]
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(state / "jupyterhub-proxy.pid")

# Who may log in, and who administers the hub.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {setting["DLCOURSE_INSTRUCTORS"], setting["DLCOURSE_STUDENTS"]}
c.PAMAuthenticator.admin_groups = {setting["DLCOURSE_INSTRUCTORS"]}
c.PAMAuthenticator.open_sessions = False  # no PAM session per server start: none is needed here

# Every user's server is JupyterLab from the course's environment, as that user.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(venv_bin / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.http_timeout = 120  # JupyterLab's first start on 2 busy cores
c.Spawner.start_timeout = 120
c.Spawner.environment = {
    # nbgrader runs `alembic` and kernels from the course's environment.
    "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
    "DLCOURSE_EXCHANGE": setting["DLCOURSE_EXCHANGE"],
}


def is_member(username: str, group: str) -> bool:
    """Whether the Linux user belongs to the group (as primary or supplementary group)."""
    try:
        entry = grp.getgrnam(group)
    except KeyError:
        return False
    return username in entry.gr_mem or pwd.getpwnam(username).pw_gid == entry.gr_gid


def by_role(spawner) -> None:
    """Instructors start in their copy of the course; students get no instructor tools."""
    name = spawner.user.name
    config_path = [str(classroom / "jupyter" / "everyone")]
    if is_member(name, setting["DLCOURSE_INSTRUCTORS"]):
        course = Path(pwd.getpwnam(name).pw_dir) / "dlcourse"
        if (course / "nbgrader_config.py").is_file():  # the lab and nbgrader both start from the course
            spawner.notebook_dir = str(course)
            config_path.insert(0, str(course))
    else:
        config_path.insert(0, str(classroom / "jupyter" / "students"))
    spawner.environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(config_path)


c.Spawner.pre_spawn_hook = by_role
