"""Sign-in, sign-out and the password change of the signed-in user."""

import math
import time
from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from caseflow.domain.signin import MIN_PASSWORD_LENGTH
from caseflow.errors import InvalidInput, NotAllowed, Throttled
from caseflow.extensions import limiter
from caseflow.services import signin
from caseflow.web import error_text, handle_domain_error, safe_next

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=50)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    again = PasswordField(_l("New password again"),
                          validators=[DataRequired(), EqualTo("new", message=_l("The two new passwords differ."))])


def _failed(response) -> bool:
    """Only failed sign-ins count against an address: an office behind one address signs in freely."""
    return response.status_code != 302


def _refused(template: str, form, exc: Throttled):
    flash(error_text(exc), "error")
    return (render_template(template, form=form, min_length=MIN_PASSWORD_LENGTH), exc.http_status,
            {"Retry-After": str(exc.retry_after)})


def _password_page(form, status: int):
    return render_template("auth/password.html", form=form, min_length=MIN_PASSWORD_LENGTH), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["CASEFLOW_SIGNIN_LIMIT"], methods=["POST"], deduct_when=_failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = signin.authenticate(form.username.data, form.password.data, remote_addr=request.remote_addr)
        except Throttled as exc:
            return _refused("auth/login.html", form, exc)
        except NotAllowed as exc:
            flash(error_text(exc), "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user)
        return redirect(safe_next(request.args.get("next"), url_for("inbox.index")))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.app_errorhandler(RateLimitExceeded)
def address_limited(_exc: RateLimitExceeded):
    """Too many failed sign-ins from one address: 429 with the wait, recorded like every refusal."""
    # Flask-Limiter keeps its windows in wall-clock seconds, so the wait is measured on the same clock.
    seconds = max(1, math.ceil(limiter.current_limit.window[0] - time.time()))
    refusal = signin.refuse_address(request.form.get("username", ""), remote_addr=request.remote_addr,
                                    retry_after=timedelta(seconds=seconds))
    if request.endpoint == "auth.login":
        return _refused("auth/login.html", LoginForm(), refusal)
    return handle_domain_error(refusal)


@bp.post("/logout")
@login_required
def logout():
    signin.sign_out_everywhere(current_user.id, remote_addr=request.remote_addr)
    logout_user()
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            user = signin.change_password(current_user.id, current=form.current.data, new=form.new.data,
                                          remote_addr=request.remote_addr)
        except Throttled as exc:
            return _refused("auth/password.html", form, exc)
        except (NotAllowed, InvalidInput) as exc:
            field = form.current if isinstance(exc, NotAllowed) else form.new
            field.errors.append(error_text(exc))
            return _password_page(form, exc.http_status)
        login_user(user)
        flash(_("Your password was changed; your other sessions were signed out."), "success")
        return redirect(url_for("inbox.index"))
    return _password_page(form, 400 if form.errors else 200)
