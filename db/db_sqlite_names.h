/*
 * db_sqlite_names.h - db_sqlite.c defines db.h's calls under their own
 * names (db_host_add, ...), renamed here to dbsq_* so that db.c's
 * dispatchers own the db_* names (see db_backend.h). Included first by
 * db_sqlite.c only. A new call in db.h gets a line here.
 */
#ifndef BOOTYARD_DB_SQLITE_NAMES_H
#define BOOTYARD_DB_SQLITE_NAMES_H

#define db_open dbsq_open
#define db_close dbsq_close
#define db_snapshot_end dbsq_snapshot_end
#define db_tx_rollback dbsq_tx_rollback
#define db_errmsg dbsq_errmsg
#define db_read_only dbsq_read_only
#define db_schema_version dbsq_schema_version
#define db_ping dbsq_ping
#define db_snapshot_begin dbsq_snapshot_begin
#define db_changes dbsq_changes
#define db_change_fd dbsq_change_fd
#define db_maintain dbsq_maintain
#define db_host_add dbsq_host_add
#define db_host_get dbsq_host_get
#define db_host_find_by_mac dbsq_host_find_by_mac
#define db_host_find_by_name dbsq_host_find_by_name
#define db_host_update dbsq_host_update
#define db_host_modify dbsq_host_modify
#define db_host_reinstall dbsq_host_reinstall
#define db_host_delete dbsq_host_delete
#define db_host_mac_add dbsq_host_mac_add
#define db_host_mac_remove dbsq_host_mac_remove
#define db_host_list dbsq_host_list
#define db_host_count dbsq_host_count
#define db_install_issue dbsq_install_issue
#define db_install_issue_for dbsq_install_issue_for
#define db_install_once dbsq_install_once
#define db_install_lookup dbsq_install_lookup
#define db_install_done dbsq_install_done
#define db_distro_add dbsq_distro_add
#define db_distro_update dbsq_distro_update
#define db_distro_get dbsq_distro_get
#define db_distro_delete dbsq_distro_delete
#define db_distro_list dbsq_distro_list
#define db_distro_names dbsq_distro_names
#define db_lease_record dbsq_lease_record
#define db_lease_seen dbsq_lease_seen
#define db_lease_list dbsq_lease_list
#define db_lease_get dbsq_lease_get
#define db_lease_holder dbsq_lease_holder
#define db_lease_prune dbsq_lease_prune
#define db_token_prune dbsq_token_prune
#define db_event_add dbsq_event_add
#define db_event_add_at dbsq_event_add_at
#define db_event_prune dbsq_event_prune
#define db_tx_begin dbsq_tx_begin
#define db_tx_commit dbsq_tx_commit
#define db_event_list dbsq_event_list
#define db_power_get dbsq_power_get
#define db_power_set dbsq_power_set
#define db_rows_read dbsq_rows_read
#define db_rows_write dbsq_rows_write
#define db_rows_done dbsq_rows_done

#endif
