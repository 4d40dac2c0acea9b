"""Coordinate reference systems: WGS-84 (what we store) and GCJ-02 (what Chinese web maps and phones
report). The forward WGS-84 → GCJ-02 transform is the well-known published one; the inverse is iterative.
Plain functions for one point, numpy versions for arrays; no Django here (the benchmark imports it)."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

WGS84 = "wgs84"
GCJ02 = "gcj02"
SUPPORTED_CRS = (WGS84, GCJ02)

# Krasovsky 1940 ellipsoid, as the GCJ-02 transform uses it.
_A = 6378245.0
_EE = 0.00669342162296594323

FloatArray = npt.NDArray[np.float64]


def outside_china(lon: float, lat: float) -> bool:
    """GCJ-02 only shifts points inside this box; outside it the two systems coincide."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _delta(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    common = (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x)) + common
    d_lat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    d_lat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x)) + common
    d_lon += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    d_lon += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    if outside_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _delta(lon, lat)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(
    lon: float, lat: float, *, tolerance: float = 1e-10, max_iterations: int = 30
) -> tuple[float, float]:
    """Invert the forward transform by fixed-point iteration: w ← w − (f(w) − g). The shift varies
    slowly, so this converges to ~1e-10° in a handful of steps."""
    if outside_china(lon, lat):
        return lon, lat
    w_lon, w_lat = lon, lat
    for _ in range(max_iterations):
        g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = g_lon - lon, g_lat - lat
        w_lon, w_lat = w_lon - e_lon, w_lat - e_lat
        if abs(e_lon) < tolerance and abs(e_lat) < tolerance:
            break
    return w_lon, w_lat


def _delta_array(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    x, y = lon - 105.0, lat - 35.0
    pi = np.pi
    common = (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    d_lat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + common
    d_lat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    d_lat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    d_lon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + common
    d_lon += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    d_lon += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad_lat = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    d_lon = (d_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * pi)
    return d_lon, d_lat


def _inside_array(lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.bool_]:
    return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def wgs84_to_gcj02_array(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    inside = _inside_array(lon, lat)
    d_lon, d_lat = _delta_array(lon, lat)
    return np.where(inside, lon + d_lon, lon), np.where(inside, lat + d_lat, lat)


def gcj02_to_wgs84_array(
    lon: FloatArray, lat: FloatArray, *, tolerance: float = 1e-10, max_iterations: int = 30
) -> tuple[FloatArray, FloatArray]:
    w_lon, w_lat = lon.astype(np.float64, copy=True), lat.astype(np.float64, copy=True)
    for _ in range(max_iterations):
        g_lon, g_lat = wgs84_to_gcj02_array(w_lon, w_lat)
        e_lon, e_lat = g_lon - lon, g_lat - lat
        w_lon -= e_lon
        w_lat -= e_lat
        if e_lon.size == 0 or (np.max(np.abs(e_lon)) < tolerance and np.max(np.abs(e_lat)) < tolerance):
            break
    return w_lon, w_lat
