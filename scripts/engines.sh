#!/usr/bin/env bash
# Install (Debian packages) and start the local engines that stand in for AWS:
# MariaDB for RDS MySQL and Aurora MySQL, PostgreSQL for Redshift, Redis for ElastiCache.
# Idempotent: an engine already answering on its port is left alone.
set -euo pipefail

log() { printf 'engines: %s\n' "$*" >&2; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() {
  local port=$1 name=$2
  for _ in $(seq 1 60); do port_open "$port" && return 0; sleep 0.5; done
  log "$name did not start listening on 127.0.0.1:$port"; return 1
}

missing=()
command -v mariadbd >/dev/null || missing+=(mariadb-server mariadb-client)
command -v pg_ctlcluster >/dev/null || missing+=(postgresql postgresql-client)
command -v redis-server >/dev/null || missing+=(redis-server redis-tools)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! port_open 3306; then
  log "starting MariaDB"
  mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld 2>/dev/null || true
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  wait_port 3306 MariaDB
fi

if ! port_open 5432; then
  log "starting PostgreSQL"
  cluster_version=$(ls /etc/postgresql | sort -V | tail -n 1)
  pg_hba="/etc/postgresql/$cluster_version/main/pg_hba.conf"
  # Local runs and tests connect as the postgres role over TCP without a password.
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$pg_hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$pg_hba"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$cluster_version" main start
  wait_port 5432 PostgreSQL
fi

if ! port_open 6379; then
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 6379 Redis
fi

# MariaDB's root may log in by unix socket only on a fresh install; tests connect over TCP.
if command -v mariadb >/dev/null && ! mariadb -h127.0.0.1 -uroot -e 'select 1' >/dev/null 2>&1; then
  log "allowing root over TCP without a password (local engine only)"
  mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;" || true
fi
log "MariaDB :3306, PostgreSQL :5432, Redis :6379 ready"
