"""Shapes of the officer-points API (for the OpenAPI document and the responses)."""

from __future__ import annotations

from rest_framework import serializers


class OfficerRowOut(serializers.Serializer):
    officer_id = serializers.IntegerField()
    name = serializers.CharField()
    squad_name = serializers.CharField()
    town_code = serializers.CharField()
    points = serializers.IntegerField()
    entries = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    rank = serializers.IntegerField()
    flagged = serializers.BooleanField(help_text="淘汰换岗预警")


class GroupOut(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    officers = OfficerRowOut(many=True)


class RankingOut(serializers.Serializer):
    period = serializers.CharField()
    computed_at = serializers.DateTimeField(allow_null=True)
    town = serializers.CharField()
    squad = serializers.CharField()
    squads = GroupOut(many=True)
    towns = GroupOut(many=True)


class EntryOut(serializers.Serializer):
    id = serializers.IntegerField()
    period = serializers.CharField()
    rule = serializers.CharField(source="rule.code")
    rule_description = serializers.CharField(source="rule.description")
    points = serializers.IntegerField()
    reason = serializers.CharField()
    case = serializers.IntegerField(source="case_id", allow_null=True)
    at = serializers.DateTimeField()


class FlagOut(serializers.Serializer):
    officer_id = serializers.IntegerField()
    name = serializers.CharField(source="officer.__str__")
    squad_name = serializers.CharField(source="squad.name", default="")
    town_code = serializers.CharField()
    period = serializers.CharField()
    threshold = serializers.IntegerField()
    history = serializers.JSONField()


class ComputeIn(serializers.Serializer):
    period = serializers.CharField(max_length=7)


class ComputeOut(serializers.Serializer):
    period = serializers.CharField()
    entries = serializers.IntegerField()
    officers = serializers.IntegerField()
    flagged = serializers.IntegerField()


class AssessmentIn(serializers.Serializer):
    case = serializers.IntegerField()
    rule = serializers.CharField(max_length=40)
    note = serializers.CharField(max_length=2000, allow_blank=True)
    officer = serializers.IntegerField(required=False, allow_null=True)


class AssessmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    rule = serializers.CharField(source="rule.code")
    points = serializers.IntegerField(source="rule.points")
    officer = serializers.IntegerField(source="officer_id")
    note = serializers.CharField()
    recorded_at = serializers.DateTimeField()
