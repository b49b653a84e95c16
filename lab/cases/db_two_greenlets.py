"""Two greenlets each run a one-second query under `monkey.patch_all()` (or, with `eventlet`,
`eventlet.monkey_patch()`): `python db_two_greenlets.py DRIVER [psycogreen] [eventlet]`.

DRIVER: psycopg2, psycopg (3), MySQLdb, pymysql, mysql-connector-pure, mysql-connector-c. About
1 s means the driver cooperates with gevent; about 2 s means each query blocked the whole process.
The databases are the machine's PostgreSQL and MariaDB (LAB_PG_DSN, LAB_MYSQL_* settings).
"""
import os
import sys

if sys.argv[1] == "mysql-connector-c":
    # The C extension brings its own OpenSSL 3.2; on Debian 12 it loads only before Python's ssl
    # module has loaded the system's OpenSSL 3.0, so it is imported first (the patch imports ssl).
    import _mysql_connector  # noqa: F401

EVENTLET = "eventlet" in sys.argv[2:]
if EVENTLET:
    import eventlet

    eventlet.monkey_patch()
else:
    from gevent import monkey

    monkey.patch_all()

import time  # noqa: E402

from harness import outcome, report, versions  # noqa: E402

driver = sys.argv[1]
green = "psycogreen" in sys.argv[2:]
PG = os.environ.get("LAB_PG_DSN", "host=127.0.0.1 dbname=postgres user=asyncdoctor_lab password=lab")
MY = {
    "host": os.environ.get("LAB_MYSQL_HOST", "127.0.0.1"),
    "user": os.environ.get("LAB_MYSQL_USER", "asyncdoctor_lab"),
    "password": os.environ.get("LAB_MYSQL_PASSWORD", "lab"),
}
if green and EVENTLET:
    from psycogreen.eventlet import patch_psycopg

    patch_psycopg()
elif green:
    from psycogreen.gevent import patch_psycopg

    patch_psycopg()


def connect():
    if driver == "psycopg2":
        import psycopg2

        return psycopg2.connect(PG)
    if driver == "psycopg":
        import psycopg

        return psycopg.connect(PG)
    if driver == "MySQLdb":
        import MySQLdb

        return MySQLdb.connect(host=MY["host"], user=MY["user"], passwd=MY["password"])
    if driver == "pymysql":
        import pymysql

        return pymysql.connect(**MY)
    import mysql.connector

    return mysql.connector.connect(**MY, use_pure=driver.endswith("pure"))


def kind():
    c = connect()
    name = type(c).__name__
    c.close()
    return name


def query(conn, go):
    go.wait()  # both connected: only the queries are timed
    cur = conn.cursor()
    cur.execute("SELECT pg_sleep(1)" if driver.startswith("psycopg") else "SELECT SLEEP(1)")
    cur.fetchall()
    conn.close()


def both():
    conns = [connect(), connect()]
    if EVENTLET:
        from eventlet.event import Event

        class Go:
            def __init__(self):
                self.event = Event()

            def wait(self):
                self.event.wait()

            def set(self):
                self.event.send(True)

        go = Go()
        jobs = [eventlet.spawn(query, c, go) for c in conns]
        t = time.monotonic()
        go.set()
        for j in jobs:
            j.wait()
        return round(time.monotonic() - t, 2)
    import gevent
    from gevent.event import Event

    go = Event()
    jobs = [gevent.spawn(query, c, go) for c in conns]
    t = time.monotonic()
    go.set()
    gevent.joinall(jobs, raise_error=True)
    return round(time.monotonic() - t, 2)


dists = {
    "psycopg2": ["psycopg2", "psycogreen"],
    "psycopg": ["psycopg", "psycopg-binary"],
    "MySQLdb": ["mysqlclient"],
    "pymysql": ["PyMySQL"],
}.get(driver, ["mysql-connector-python"])
report(
    versions=versions("eventlet" if EVENTLET else "gevent", *dists),
    steps={"connection class": outcome(kind), "two queries at once": outcome(both)},
)
