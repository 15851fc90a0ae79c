"""Flask extension singletons, bound to the app in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy.orm import scoped_session

from core.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def commit_keeping_objects(session: scoped_session) -> None:
    """Commit without expiring what the session holds: the answer then shows the rows just
    written without reading each of them back (nothing in the database changes them at commit)."""
    current = session()
    current.expire_on_commit = False
    try:
        current.commit()
    finally:
        current.expire_on_commit = True
