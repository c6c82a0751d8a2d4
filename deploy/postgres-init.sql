-- One database per service: no service reads another's tables.
CREATE DATABASE civil_registry;
CREATE DATABASE licensing;
CREATE DATABASE queue;
CREATE DATABASE catalog;
CREATE DATABASE notifications;
-- Agency modules: one database each.
CREATE DATABASE social_aid;
CREATE DATABASE regional_tax;
CREATE DATABASE complaints;
-- The gateway's accounts, sign-in sessions and audit log.
CREATE DATABASE gateway;
