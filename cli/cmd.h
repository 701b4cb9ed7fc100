/* cli/cmd.h - the commands main.c dispatches to; one file each. */
#ifndef PLAT_CMD_H
#define PLAT_CMD_H
#include "cli.h"
int cmd_check(plat_cli *cli, int argc, char **argv);
int cmd_copy(plat_cli *cli, int argc, char **argv);
int cmd_coverage(plat_cli *cli, int argc, char **argv);
int cmd_demo(plat_cli *cli, int argc, char **argv);
int cmd_export(plat_cli *cli, int argc, char **argv);
int cmd_init(plat_cli *cli, int argc, char **argv);
int cmd_layer(plat_cli *cli, int argc, char **argv);
int cmd_township(plat_cli *cli, int argc, char **argv);
int cmd_progress(plat_cli *cli, int argc, char **argv);
int cmd_project(plat_cli *cli, int argc, char **argv);
int cmd_project_import(plat_cli *cli, int argc, char **argv); /* cmd_project_import.c */
int cmd_query(plat_cli *cli, int argc, char **argv);
int cmd_report(plat_cli *cli, int argc, char **argv);
int cmd_verify(plat_cli *cli, int argc, char **argv);
#endif
