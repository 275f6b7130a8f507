"""Sign-in and sign-out."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from caseflow.errors import NotAllowed
from caseflow.services import accounts
from caseflow.web import error_text, safe_next

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=50)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.username.data, form.password.data, remote_addr=request.remote_addr)
        except NotAllowed as exc:
            flash(error_text(exc), "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user)
        return redirect(safe_next(request.args.get("next"), url_for("inbox.index")))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You have signed out."), "success")
    return redirect(url_for("auth.login"))
