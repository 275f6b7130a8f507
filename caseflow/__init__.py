"""Caseflow: case management for public employment services, run as BPMN workflows."""

from caseflow.app import create_app

__all__ = ["create_app"]
