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


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)
