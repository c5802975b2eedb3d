"""The platform's routes, Litestar controllers by resource (an order's care actions and a store's vouchers have a
controller of their own beside the resource's; docs/api.md is the contract they implement).

A new endpoint goes into its resource's controller: a read opens `platform_of(request).reading(request)`, a change
declares its body as `data` and returns `await idempotent(request, change)` (see `o2o_tui.platform.pipeline`).
"""

from __future__ import annotations

from o2o_tui.platform.routes.auto_accept import AutoAcceptController
from o2o_tui.platform.routes.fleet import CourierController, DeliveryController
from o2o_tui.platform.routes.order_care import OrderCareController
from o2o_tui.platform.routes.orders import OrderController
from o2o_tui.platform.routes.reports import ReportController
from o2o_tui.platform.routes.stores import StoreController, StoreListController
from o2o_tui.platform.routes.system import SystemController
from o2o_tui.platform.routes.users import UserController
from o2o_tui.platform.routes.vouchers import StoreVoucherController, VoucherController

CONTROLLERS = [SystemController, StoreController, OrderController, CourierController, DeliveryController]
CONTROLLERS.append(ReportController)  # a store's figures (reports.py)
CONTROLLERS.append(AutoAcceptController)  # a store's auto-accept and its printing station (auto_accept.py)
CONTROLLERS.append(OrderCareController)  # chases and refunds on an order (order_care.py)
CONTROLLERS += [VoucherController, StoreVoucherController]  # vouchers and counter redemption (vouchers.py)
CONTROLLERS.append(StoreListController)  # every store, for an administrator (GET /v1/stores)
CONTROLLERS.append(UserController)  # an administrator disables and enables users (offboarding.py)
