"""Provinces, districts and agencies."""

from __future__ import annotations

from marshmallow import Schema, fields

from .common import StrictSchema


class ProvinceOut(Schema):
    code = fields.String()
    name_ko = fields.String()
    name_en = fields.String()


class DistrictOut(Schema):
    code = fields.String()
    province_code = fields.String()
    name_ko = fields.String()
    name_en = fields.String()
    lat = fields.Function(lambda d: d.lat_e6 / 1_000_000)
    lon = fields.Function(lambda d: d.lon_e6 / 1_000_000)
    population = fields.Integer()


class DistrictArgs(StrictSchema):
    province = fields.String(load_default=None)


class AgencyArgs(StrictSchema):
    district = fields.String(load_default=None)


class AgencyOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name_ko = fields.String()
    name_en = fields.String()
    home_district_code = fields.String()
    phone = fields.String()
    address_ko = fields.String()
    served_district_codes = fields.Function(lambda a: [d.code for d in a.served_districts])
