-- One database per service: no service reads another's tables.
CREATE DATABASE civil_registry;
CREATE DATABASE licensing;
CREATE DATABASE queue;
-- The gateway's accounts, sign-in sessions and audit log.
CREATE DATABASE gateway;
