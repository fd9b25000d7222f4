from rest_framework import serializers

from stations.models import Officer, Region, Station


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent"]


class StationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Station
        fields = ["id", "code", "name", "county", "kind", "address", "latitude", "longitude", "phone", "is_active"]


class OfficerSerializer(serializers.ModelSerializer):
    has_terminal = serializers.BooleanField(read_only=True)

    class Meta:
        model = Officer
        fields = [
            "id", "badge_number", "name", "kind", "rank", "station", "region",
            "has_terminal", "terminal_number", "is_active",
        ]


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp_token = serializers.CharField(
        max_length=10, required=False, allow_blank=True,
        help_text="The current code of the user's authenticator: required when two-factor sign-in applies to the "
        "user (county, city and province staff with TWO_FACTOR_REQUIRED on) or the user has enrolled one.",
    )


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)
